import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { PlatformErrors } from '../../../platform/http';
import { decideWebhook, WebhookDecision, WebhookPayloadError } from '../domain';
import { SubscriptionStatusService } from '../gating/subscription-status.service';

export interface WebhookDelivery {
  webhookId: string;
  type: string;
  data: Record<string, unknown>;
  ip: string | null;
  requestId: string | null;
}

export type WebhookOutcome = 'applied' | 'ignored' | 'replayed';

/**
 * contracts §6: applies one verified billing webhook. The webhook id is recorded in the same transaction as the
 * change (and its audit entry), so a replay, or two deliveries of one id at once, applies it once. Once committed,
 * every api process forgets the organization's cached status (write gating sees it on the next request).
 */
@Injectable()
export class BillingWebhookService {
  private readonly log = new Logger('BillingWebhook');

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly subscriptions: SubscriptionStatusService,
  ) {}

  async receive(d: WebhookDelivery): Promise<WebhookOutcome> {
    let decision: WebhookDecision;
    try {
      decision = decideWebhook(d.type, d.data);
    } catch (err) {
      if (!(err instanceof WebhookPayloadError)) throw err;
      throw PlatformErrors.error('validation_failed', err.message, [{ field: err.field, reason: err.reason }]);
    }
    const orgId = typeof d.data.org_id === 'string' && d.data.org_id ? d.data.org_id : null;
    if (decision.kind !== 'ignore' && !orgId) {
      throw PlatformErrors.error('validation_failed', 'data.org_id: must be the kenbun organization id', [
        { field: 'data.org_id', reason: 'must be the kenbun organization id' },
      ]);
    }
    const outcome = await this.dataSource.transaction(async (m) => {
      const known = orgId ? (await m.query(`SELECT 1 FROM organizations WHERE id = $1`, [orgId])).length > 0 : false;
      if (decision.kind !== 'ignore' && !known) decision = { kind: 'ignore', reason: `unknown organization ${orgId}` };
      const now = this.clock.now();
      const fresh = await m.query(
        `INSERT INTO billing_webhook_events (webhook_id, type, org_id, outcome, received_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (webhook_id) DO NOTHING RETURNING webhook_id`,
        [d.webhookId, d.type, known ? orgId : null, decision.kind === 'ignore' ? 'ignored' : 'applied', now],
      );
      if (!fresh.length) return 'replayed' as const;
      if (decision.kind === 'ignore') {
        this.log.log({ msg: 'billing webhook ignored', webhook_id: d.webhookId, type: d.type, org_id: orgId, reason: decision.reason });
        return 'ignored' as const;
      }
      await this.apply(m, orgId!, decision, d, now);
      return 'applied' as const;
    });
    if (outcome === 'applied') await this.subscriptions.invalidate(orgId!);
    if (outcome === 'replayed') this.log.log({ msg: 'billing webhook replayed: already handled', webhook_id: d.webhookId, type: d.type });
    return outcome;
  }

  private async apply(m: EntityManager, orgId: string, decision: Exclude<WebhookDecision, { kind: 'ignore' }>, d: WebhookDelivery, now: Date) {
    const [before] = await m.query(`SELECT status, trial_ends_at FROM billing_subscriptions WHERE org_id = $1 FOR UPDATE`, [orgId]);
    // without a record yet: a failed payment makes it past due, a trial ending implies a trialing subscription
    const status = decision.kind === 'trial_end' ? (before?.status ?? 'trialing') : decision.status;
    const trialEndsAt = decision.kind === 'status' ? (before?.trial_ends_at ?? null) : decision.trialEndsAt;
    await m.query(
      `INSERT INTO billing_subscriptions (org_id, status, trial_ends_at, last_event_type, last_webhook_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id) DO UPDATE SET status = excluded.status, trial_ends_at = excluded.trial_ends_at, last_event_type = excluded.last_event_type,
                                          last_webhook_id = excluded.last_webhook_id, updated_at = excluded.updated_at`,
      [orgId, status, trialEndsAt, d.type, d.webhookId, now],
    );
    const trial = trialEndsAt ? new Date(trialEndsAt).toISOString() : 'none';
    const summary = `billing provider (${d.type}) set the subscription to ${status} (was ${before?.status ?? 'none'}), trial ends ${trial}`;
    await m.query(
      `INSERT INTO audit_logs (org_id, unit_id, actor_type, actor_id, user_email, method, path, status, ip, latency_ms, verb, entity_type, entity_id, summary, request_id, created_at)
       VALUES ($1, NULL, 'billing_provider', $2, NULL, 'POST', '/billing/webhook', 200, $3, 0, 'updated', 'subscription', $1, $4, $5, $6)`,
      [orgId, d.webhookId, d.ip, summary, d.requestId, now],
    );
    this.log.log({ msg: 'billing webhook applied', webhook_id: d.webhookId, type: d.type, org_id: orgId, status, previous: before?.status ?? 'none' });
  }
}
