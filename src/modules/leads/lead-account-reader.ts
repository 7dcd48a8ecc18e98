import type { LeadAccountSummaryDto } from './http/leads.dto';

/** The account a lead is grouped into, as the lead reads show it (LEAD-4, LEAD-8). */
export interface LeadAccountView {
  /** the account's public id */
  account_id: string;
  /** the account's metadata */
  metadata: Record<string, unknown>;
  /** the whole row as `GET /lead/{id}` shows it under `account` (the fields of an account list row) */
  view: LeadAccountSummaryDto;
}

/**
 * Port: the account a lead belongs to, read from the accounts read model. The accounts module implements it
 * (globally), so the leads module never depends on it; without an implementation (or without an account) the lead
 * reads show none.
 */
export abstract class LeadAccountReader {
  /** `leadRef`: the lead's internal id (leads.id) in the active OU. */
  abstract accountOf(leadRef: string): Promise<LeadAccountView | null>;
}
