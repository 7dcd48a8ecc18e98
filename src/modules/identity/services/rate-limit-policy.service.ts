import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../../config/app-config';
import { RateLimitPolicy } from '../../../platform/rate-limit';
import { Principal } from '../../../platform/tenancy';
import { RateLimitSettings } from '../entities/organization.entity';

export interface EffectiveRateLimit extends RateLimitPolicy {
  enabled: boolean;
  mode: 'observe' | 'enforce';
  keyBy: 'principal' | 'org' | 'ip';
}

const CACHE_MS = 10_000;

/** The rate limit that applies to a caller: the organization's override over the server defaults. */
@Injectable()
export class RateLimitPolicyService {
  private readonly cache = new Map<string, { at: number; settings: RateLimitSettings | null }>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async forOrg(orgId: string): Promise<EffectiveRateLimit> {
    const hit = this.cache.get(orgId);
    let settings = hit && hit.at > Date.now() - CACHE_MS ? hit.settings : undefined;
    if (settings === undefined) {
      const [row] = await this.dataSource.query(`SELECT rate_limit FROM organizations WHERE id = $1`, [orgId]);
      settings = row?.rate_limit ?? null;
      this.cache.set(orgId, { at: Date.now(), settings: settings ?? null });
    }
    const env = this.config.env;
    return {
      enabled: settings?.enabled ?? env.RATE_LIMIT_ENABLED,
      mode: settings?.mode ?? env.RATE_LIMIT_MODE,
      keyBy: settings?.key_by ?? 'principal',
      perMinute: settings?.per_minute ?? env.RATE_LIMIT_PER_MINUTE,
      burst: settings?.burst ?? env.RATE_LIMIT_BURST,
    };
  }

  /** Forget cached settings (after an organization's limits change). */
  invalidate(orgId: string): void {
    this.cache.delete(orgId);
  }

  key(policy: EffectiveRateLimit, p: Principal, ip: string | undefined): string {
    if (policy.keyBy === 'org') return `org:${p.orgId}`;
    if (policy.keyBy === 'ip') return `ip:${ip ?? 'unknown'}`;
    return p.activeOuKey;
  }
}
