import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { RequestContext } from '../../../platform/tenancy';
import { billingCycle, FREE_TIER_LIMIT, OVERAGE_RATE_CENTS, OVERAGE_UNIT, usageMonth } from '../domain';
import { SubscriptionStatusService } from '../gating/subscription-status.service';
import { UsageDto } from '../http/billing.dto';

/** USE-1: the organization's usage in the current billing cycle (all its OUs), its plan limits and subscription. */
@Injectable()
export class UsageReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly subscriptions: SubscriptionStatusService,
  ) {}

  async current(): Promise<UsageDto> {
    const orgId = RequestContext.orgId();
    const cycle = billingCycle(this.clock.now());
    const [[usage], subscription] = await Promise.all([
      this.dataSource.query(
        `SELECT o.name, (SELECT coalesce(sum(events), 0)::bigint FROM usage_counters WHERE org_id = o.id AND month = $2::date) AS events
           FROM organizations o WHERE o.id = $1`,
        [orgId, usageMonth(cycle.start)],
      ),
      this.subscriptions.read(orgId),
    ]);
    const monthlyEvents = Number(usage?.events ?? 0);
    return {
      monthly_events: monthlyEvents,
      free_tier_limit: FREE_TIER_LIMIT,
      overage_rate_cents: OVERAGE_RATE_CENTS,
      overage_unit: OVERAGE_UNIT,
      overage: monthlyEvents > FREE_TIER_LIMIT,
      billing_cycle_start: cycle.start.toISOString(),
      billing_cycle_end: cycle.end.toISOString(),
      org_id: orgId,
      org_name: usage?.name ?? '',
      subscription_status: subscription.status,
      trial_ends_at: subscription.trialEndsAt ? new Date(subscription.trialEndsAt).toISOString() : null,
    };
  }
}
