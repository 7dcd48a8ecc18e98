import { isProviderStatus, ProviderSubscriptionStatus } from './subscription';

/** The change one billing webhook asks for (contracts §6), or why it changes nothing. */
export type WebhookDecision =
  | { kind: 'set'; status: ProviderSubscriptionStatus; trialEndsAt: Date | null }
  | { kind: 'status'; status: ProviderSubscriptionStatus }
  | { kind: 'trial_end'; trialEndsAt: Date }
  | { kind: 'ignore'; reason: string };

/** An RFC 3339 instant, null, or undefined when the value is neither. */
function instant(value: unknown): Date | null | undefined {
  if (value === null) return null;
  if (typeof value !== 'string') return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A field of `data` the event type needs, with why it is unusable (the webhook answers 400 naming it). */
export class WebhookPayloadError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/**
 * contracts §6, pure: `subscription.created` / `subscription.updated` set status and trial end;
 * `payment_attempt` with `data.status: "failed"` sets past_due (another attempt status changes nothing);
 * `subscriptionItem.freeTrialEnding` records the trial end; any other type is ignored.
 */
export function decideWebhook(type: string, data: Record<string, unknown>): WebhookDecision {
  switch (type) {
    case 'subscription.created':
    case 'subscription.updated': {
      if (!isProviderStatus(data.status)) throw new WebhookPayloadError('data.status', 'must be one of active, trialing, past_due, canceled, ended, expired');
      const trial = data.trial_ends_at === undefined ? null : instant(data.trial_ends_at);
      if (trial === undefined) throw new WebhookPayloadError('data.trial_ends_at', 'must be an RFC 3339 date-time or null');
      return { kind: 'set', status: data.status, trialEndsAt: trial };
    }
    case 'payment_attempt':
      return data.status === 'failed' ? { kind: 'status', status: 'past_due' } : { kind: 'ignore', reason: `payment attempt ${String(data.status)}` };
    case 'subscriptionItem.freeTrialEnding': {
      const trial = instant(data.trial_ends_at);
      if (!trial) throw new WebhookPayloadError('data.trial_ends_at', 'must be an RFC 3339 date-time');
      return { kind: 'trial_end', trialEndsAt: trial };
    }
    default:
      return { kind: 'ignore', reason: `unknown event type ${type}` };
  }
}
