import { billingCycle, decideWebhook, usageMonth, WebhookPayloadError, writeGate } from './index';

describe('writeGate (G-11)', () => {
  it.each([
    ['active', true],
    ['trialing', true],
    ['none', true],
  ] as const)('%s writes', (status, allowed) => expect(writeGate(status).allowed).toBe(allowed));
  it('past due pauses writes; canceled, ended and expired are read-only', () => {
    expect(writeGate('past_due')).toEqual({ allowed: false, code: 'subscription_past_due' });
    for (const s of ['canceled', 'ended', 'expired'] as const) expect(writeGate(s)).toEqual({ allowed: false, code: 'subscription_canceled' });
  });
});

describe('billingCycle and usageMonth', () => {
  it('is the calendar month in UTC, end exclusive', () => {
    expect(billingCycle(new Date('2026-12-31T23:59:59.999Z'))).toEqual({ start: new Date('2026-12-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
    expect(usageMonth('2026-03-01T00:00:00.000Z')).toBe('2026-03-01');
    expect(usageMonth('2026-02-28T23:59:59.999Z')).toBe('2026-02-01');
  });
});

describe('decideWebhook (contracts §6)', () => {
  it('subscription.created/updated set status and trial end', () => {
    expect(decideWebhook('subscription.updated', { status: 'trialing', trial_ends_at: '2026-01-08T00:00:00Z' })).toEqual({
      kind: 'set',
      status: 'trialing',
      trialEndsAt: new Date('2026-01-08T00:00:00Z'),
    });
    expect(decideWebhook('subscription.created', { status: 'active', trial_ends_at: null })).toEqual({ kind: 'set', status: 'active', trialEndsAt: null });
  });
  it('payment_attempt failed is past_due; another outcome changes nothing', () => {
    expect(decideWebhook('payment_attempt', { status: 'failed' })).toEqual({ kind: 'status', status: 'past_due' });
    expect(decideWebhook('payment_attempt', { status: 'paid' }).kind).toBe('ignore');
  });
  it('freeTrialEnding records the trial end; unknown types are ignored', () => {
    expect(decideWebhook('subscriptionItem.freeTrialEnding', { trial_ends_at: '2026-01-08T00:00:00+02:00' })).toEqual({
      kind: 'trial_end',
      trialEndsAt: new Date('2026-01-07T22:00:00Z'),
    });
    expect(decideWebhook('invoice.paid', {}).kind).toBe('ignore');
  });
  it('names the field it cannot use', () => {
    expect(() => decideWebhook('subscription.updated', { status: 'paused' })).toThrow(WebhookPayloadError);
    expect(() => decideWebhook('subscription.updated', { status: 'active', trial_ends_at: 'tomorrow' })).toThrow('data.trial_ends_at');
    expect(() => decideWebhook('subscriptionItem.freeTrialEnding', {})).toThrow('data.trial_ends_at');
  });
});
