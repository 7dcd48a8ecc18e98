import { Inject, Injectable } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS } from '../redis/redis.module';

export interface RateLimitPolicy {
  /** sustained requests per minute */
  perMinute: number;
  /** bucket size: requests allowed in a burst */
  burst: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** epoch seconds when the bucket is full again */
  reset: number;
  /** seconds until the next request would be allowed (0 when allowed) */
  retryAfter: number;
}

/**
 * Token bucket per key, in Redis so that several api processes share one limit. One round trip:
 * refill by elapsed time, take a token if there is one, store, answer. Redis's clock is the only clock.
 */
const TOKEN_BUCKET = `
local key = KEYS[1]
local rate = tonumber(ARGV[1])      -- tokens per millisecond
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + (now - ts) * rate)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('HSET', key, 'tokens', tokens, 'ts', now)
redis.call('PEXPIRE', key, math.ceil(burst / rate) + 1000)
return { allowed, tostring(tokens), now }
`;

@Injectable()
export class RateLimiter {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  async consume(key: string, policy: RateLimitPolicy): Promise<RateLimitDecision> {
    const rate = policy.perMinute / 60_000;
    const [allowed, tokensText, now] = (await this.redis.eval(TOKEN_BUCKET, 1, `${this.config.env.QUEUE_PREFIX}:ratelimit:${key}`, rate, policy.burst)) as [
      number,
      string,
      number,
    ];
    const tokens = Number(tokensText);
    const msToFull = (policy.burst - tokens) / rate;
    return {
      allowed: allowed === 1,
      limit: policy.perMinute,
      remaining: Math.max(0, Math.floor(tokens)),
      reset: Math.ceil((now + msToFull) / 1000),
      retryAfter: allowed === 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / rate / 1000)),
    };
  }
}
