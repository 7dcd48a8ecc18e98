/**
 * ABM-2: which account a lead belongs to. The lead's own `account_id` (given on the lead or in its metadata) first,
 * else the `accountId` of its events' metadata (the latest one), else its e-mail domain unless it is a free-mail
 * domain (gmail.com, outlook.com, …: a list kept by a package, passed in). Pure: the projection feeds it.
 */
export interface GroupingInput {
  account_id: string | null;
  metadata_account_id: unknown;
  event_account_id: unknown;
  email: string | null;
}

export interface GroupingKey {
  /** `id:<account_id>` or `domain:<domain>`: unique per OU, the account's identity for grouping */
  key: string;
  account_id: string;
  domain: string | null;
  name: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);

/** The domain of an e-mail address, lower-cased; null when it is not one. */
export function emailDomain(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) return null;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return /^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain) ? domain : null;
}

/** A readable company name from a domain: `acme-corp.co.uk` → `Acme-corp`. */
export function nameFromDomain(domain: string): string {
  const label = domain.split('.')[0];
  return label.charAt(0).toUpperCase() + label.slice(1);
}

export function groupingKey(input: GroupingInput, isFreeMail: (domain: string) => boolean): GroupingKey | null {
  const explicit = text(input.account_id) ?? text(input.metadata_account_id) ?? text(input.event_account_id);
  if (explicit) return { key: `id:${explicit}`, account_id: explicit, domain: null, name: null };
  const domain = emailDomain(input.email);
  if (!domain || isFreeMail(domain)) return null;
  return { key: `domain:${domain}`, account_id: `acct_${domain}`, domain, name: nameFromDomain(domain) };
}
