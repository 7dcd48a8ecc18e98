/** Subscription statuses the billing provider sends (contracts §6); `none` = no billing record (self-hosted use). */
export const SUBSCRIPTION_STATUSES = ['active', 'trialing', 'past_due', 'canceled', 'ended', 'expired'] as const;
export type ProviderSubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
export type SubscriptionStatus = ProviderSubscriptionStatus | 'none';
export const REPORTED_STATUSES: readonly SubscriptionStatus[] = [...SUBSCRIPTION_STATUSES, 'none'];

export function isProviderStatus(value: unknown): value is ProviderSubscriptionStatus {
  return typeof value === 'string' && (SUBSCRIPTION_STATUSES as readonly string[]).includes(value);
}

/** What a write of an organization in this status gets (G-11): through, or refused with the code to answer. */
export type WriteGate = { allowed: true } | { allowed: false; code: 'subscription_past_due' | 'subscription_canceled' };

/**
 * G-11 / contracts §6: past due pauses writes (reads work); canceled, ended and expired keep the data read-only;
 * active, trialing and no billing record at all write freely.
 */
export function writeGate(status: SubscriptionStatus): WriteGate {
  if (status === 'past_due') return { allowed: false, code: 'subscription_past_due' };
  if (status === 'canceled' || status === 'ended' || status === 'expired') return { allowed: false, code: 'subscription_canceled' };
  return { allowed: true };
}

/** USE-1 plan constants: 500,000 events a month included, then 50 cents per 10,000 events. */
export const FREE_TIER_LIMIT = 500_000;
export const OVERAGE_RATE_CENTS = 50;
export const OVERAGE_UNIT = 10_000;

/** The billing cycle containing `now`: the calendar month in UTC (the provider's payload carries no period). */
export function billingCycle(now: Date): { start: Date; end: Date } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  return { start, end };
}

/** The first day (YYYY-MM-01, UTC) of the month an instant falls in: the usage counter's bucket. */
export function usageMonth(instant: string | Date): string {
  return `${new Date(instant).toISOString().slice(0, 7)}-01`;
}
