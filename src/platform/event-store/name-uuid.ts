import { createHash } from 'node:crypto';

/**
 * A name-based UUID (RFC 9562 version 5 layout: SHA-1 of the name, version and variant bits set): the same name
 * always gives the same id. For ids that must be stable across retries and resends (client event ids, merge
 * requests, surge firings, alias rows). Callers prefix the name with what it identifies, so unrelated names
 * never collide.
 */
export function nameUuid(name: string): string {
  const hash = createHash('sha1').update(name).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
