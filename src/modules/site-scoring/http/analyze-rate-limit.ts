import { Injectable } from '@nestjs/common';
import type { FastifyReply as Response } from 'fastify';
import { AppConfig } from '../../../config/app-config';
import { PlatformErrors } from '../../../platform/http';
import { RateLimiter } from '../../../platform/rate-limit';
import { RequestContext } from '../../../platform/tenancy';

/**
 * Analyses per minute per organization (SITE_ANALYZER_PER_MINUTE), on top of the caller's general rate limit: one
 * request here costs up to dozens of outbound fetches, so the general limit alone would let one organization make the
 * server crawl the web at a hundred sites a minute.
 */
@Injectable()
export class AnalyzeRateLimit {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly config: AppConfig,
  ) {}

  async consume(res: Response): Promise<void> {
    const perMinute = this.config.env.SITE_ANALYZER_PER_MINUTE;
    if (perMinute === 0) return;
    const decision = await this.limiter.consume(`site-analyzer:${RequestContext.orgId()}`, { perMinute, burst: perMinute });
    if (decision.allowed) return;
    res.header('Retry-After', String(decision.retryAfter));
    throw PlatformErrors.error('rate_limited', `at most ${perMinute} site analyses per minute per organization; retry in ${decision.retryAfter} s`);
  }
}
