import { randomBytes } from 'node:crypto';

/**
 * `<prefix>_<12 url-safe characters>` (72 random bits): the id of a configuration row (filter, trigger,
 * ruleset, member, OU…). Shared by every module, so it lives in the platform rather than in one of them.
 */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
}
