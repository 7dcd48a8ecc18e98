import { canonicalEventType } from '../../scoring/domain';

/**
 * ET-6: system event types whose events cannot be deleted by type (the score history they carry is the
 * platform's, not the sender's): inactivity decay (`DECAY`, DEC-3), score resets and merges written on the
 * lead's timeline. Canonical keys, so every spelling is protected.
 */
export const PROTECTED_EVENT_TYPES: ReadonlySet<string> = new Set(['decay', 'score_reset', 'lead_merged']);

export function isProtectedEventType(name: string): boolean {
  return PROTECTED_EVENT_TYPES.has(canonicalEventType(name));
}
