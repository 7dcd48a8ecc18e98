import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { ConfigurationError } from '../../config/environment';
import { MetricsService } from '../metrics/metrics.service';
import { REDIS } from './redis.tokens';
import { redisPersistenceVerdict, RedisPersistenceVerdict, REQUIRED_REDIS_SETTINGS } from './redis-persistence';

/** How long the boot waits for Redis to answer CONFIG GET before calling the settings unverifiable. */
const CHECK_TIMEOUT_MS = 5000;

/**
 * An accepted event is only as durable as the Redis holding its job (ingest answers 202 once Redis confirmed the
 * enqueue). At boot this reads Redis's persistence settings and says loudly when a restart or memory pressure would
 * drop jobs; REDIS_REQUIRE_PERSISTENCE=true refuses to start instead (exit 78, EX_CONFIG). `redis_persistence_ok`
 * re-reads them at every scrape, so a CONFIG SET after boot shows too.
 */
@Injectable()
export class RedisPersistenceCheck implements OnModuleInit {
  private readonly logger = new Logger('RedisPersistence');

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.metrics.onCollect('redis_persistence', async () => this.record(await this.verdict()));
    const verdict = await this.verdict();
    this.record(verdict);
    if (verdict.ok === 'unknown') {
      this.logger.warn({ msg: 'could not verify that Redis persists queued jobs', reason: verdict.reason, settings_to_check: REQUIRED_REDIS_SETTINGS });
      return;
    }
    if (verdict.ok) return;
    const require = this.config.env.REDIS_REQUIRE_PERSISTENCE;
    this.logger.error({
      msg: 'REDIS WILL LOSE ACCEPTED JOBS: set appendonly yes, appendfsync everysec, maxmemory-policy noeviction',
      problems: verdict.problems,
      settings: { appendonly: verdict.settings.appendonly, save: verdict.settings.save, 'maxmemory-policy': verdict.settings.maxmemoryPolicy },
      use: verdict.use,
      redis_server_flags: '--appendonly yes --appendfsync everysec --maxmemory-policy noeviction',
      action: require ? 'exiting (REDIS_REQUIRE_PERSISTENCE=true)' : 'starting anyway (REDIS_REQUIRE_PERSISTENCE=true would refuse)',
    });
    if (require) throw new ConfigurationError(`Redis does not persist queued jobs: ${verdict.problems.join('; ')}`);
  }

  async verdict(): Promise<RedisPersistenceVerdict> {
    try {
      const [appendonly, save, maxmemoryPolicy] = await withTimeout(
        Promise.all(['appendonly', 'save', 'maxmemory-policy'].map((name) => this.configGet(name))),
        CHECK_TIMEOUT_MS,
      );
      return redisPersistenceVerdict({ appendonly, save, maxmemoryPolicy });
    } catch (err) {
      return { ok: 'unknown', reason: (err as Error)?.message ?? String(err) };
    }
  }

  private async configGet(name: string): Promise<string> {
    const answer = (await this.redis.config('GET', name)) as string[];
    // CONFIG GET answers [name, value] pairs; an empty list when the setting is unknown (or hidden)
    if (!Array.isArray(answer) || answer.length < 2) throw new Error(`CONFIG GET ${name} answered nothing`);
    return String(answer[1]);
  }

  private record(verdict: RedisPersistenceVerdict): void {
    this.metrics.redisPersistenceOk.set(verdict.ok === true ? 1 : 0);
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
