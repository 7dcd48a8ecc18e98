import { Global, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { RedisPersistenceCheck } from './redis-persistence.check';
import { REDIS } from './redis.tokens';

export { InjectRedis, REDIS } from './redis.tokens';

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One shared ioredis client for health checks, locks and counters (Bull keeps its own connections). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new Redis(config.env.REDIS_URL, { maxRetriesPerRequest: 2, enableOfflineQueue: true, lazyConnect: false }),
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class RedisModule {}

/**
 * The api and worker roles check at start that Redis persists the jobs they accept and hand out; the CLI (no role)
 * does not, so that `migrate` and friends stay quiet.
 */
@Module({ providers: [RedisPersistenceCheck] })
export class RedisPersistenceModule {}
