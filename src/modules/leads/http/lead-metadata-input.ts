import { PlatformErrors } from '../../../platform/http';

/** LEAD-10: attribute keys written by alias. */
export const ATTRIBUTE_KEY = /^[A-Za-z0-9_\-. ]{1,64}$/;
const METADATA_KEY_MAX = 256;

/** LEAD-6: null removes a key, anything else is set. */
export function splitPatch(patch: Record<string, unknown>): { set: Record<string, unknown>; removed: string[] } {
  const set: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) removed.push(k);
    else set[k] = v;
  }
  return { set, removed };
}

export function checkKeys(metadata: Record<string, unknown>, field: string): void {
  const bad = Object.keys(metadata).filter((k) => k.trim() === '' || k.length > METADATA_KEY_MAX);
  if (bad.length) {
    const details = bad.map((k) => ({
      field: k.trim() === '' ? field : `${field}.${k.slice(0, 64)}`,
      reason: `keys must be 1–${METADATA_KEY_MAX} characters and not blank`,
    }));
    throw PlatformErrors.error('validation_failed', details.map((d) => `${d.field}: ${d.reason}`).join('; '), details);
  }
}
