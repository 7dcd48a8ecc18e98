import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CredentialCache } from '../../identity';
import { SubscriptionStatus } from '../domain';

/** The organization's subscription: status (`none` without a billing record) and trial end. */
export interface Subscription {
  status: SubscriptionStatus;
  trialEndsAt: Date | null;
}

const NONE: Subscription = Object.freeze({ status: 'none', trialEndsAt: null });

/**
 * An organization's subscription status as the request path needs it (write gating on every mutation): kept in
 * process by the credential cache (the one in-process cache with immediate cross-process invalidation), under
 * `billing:<org>`, evicted everywhere the moment the billing webhook commits a change.
 */
@Injectable()
export class SubscriptionStatusService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cache: CredentialCache,
  ) {}

  static tag(orgId: string): string {
    return `billing:${orgId}`;
  }

  /** Cached; a miss (or a paused cache) reads the database. */
  async statusOf(orgId: string): Promise<SubscriptionStatus> {
    const key = SubscriptionStatusService.tag(orgId);
    const hit = this.cache.recall<SubscriptionStatus>(key);
    if (hit) return hit.value;
    const mark = this.cache.mark();
    const { status } = await this.read(orgId);
    this.cache.remember(key, status, [key, `org:${orgId}`], mark);
    return status;
  }

  /** Always from the database (GET /usage). */
  async read(orgId: string): Promise<Subscription> {
    const [row] = await this.dataSource.query(`SELECT status, trial_ends_at FROM billing_subscriptions WHERE org_id = $1`, [orgId]);
    return row ? { status: row.status, trialEndsAt: row.trial_ends_at } : NONE;
  }

  /** After a committed change: every api process reads the organization's status afresh on its next write. */
  invalidate(orgId: string): Promise<void> {
    return this.cache.invalidate(SubscriptionStatusService.tag(orgId));
  }
}
