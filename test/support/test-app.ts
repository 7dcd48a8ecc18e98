import 'reflect-metadata';
import { INestApplication, ModuleMetadata } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { AppModule } from '../../src/app.module';
import { AppConfig } from '../../src/config/app-config';
import { Environment, Role } from '../../src/config/environment';
import { Clock, SettableClock } from '../../src/platform/clock/clock';
import { configureHttp } from '../../src/platform/http/configure-http';
import { createHttpAdapter } from '../../src/platform/http/http-adapter';
import { WorkerLifecycle } from '../../src/platform/lifecycle/worker-lifecycle.service';
import { createTestDatabase, TestDatabase } from './test-database';
import { TEST_REDIS_URL, uniqueSuffix } from './test-env';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  clock: SettableClock;
  db: TestDatabase;
  /** HTTP server for supertest */
  http: ReturnType<INestApplication['getHttpServer']>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  roles?: Role[];
  env?: Partial<Record<keyof Environment, unknown>>;
  /** extra modules/providers a test needs (e.g. a probe projection) */
  imports?: ModuleMetadata['imports'];
  providers?: ModuleMetadata['providers'];
  /** providers of the application replaced for the test (e.g. a recording stand-in for a port the app binds) */
  overrides?: { provide: unknown; useClass: new (...args: never[]) => unknown }[];
  /** reuse a database (two app instances on one database) */
  db?: TestDatabase;
  clock?: SettableClock;
}

/**
 * Boots the real application (api and worker roles by default) against its own fresh database and a
 * Redis key prefix of its own, with a settable clock.
 */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const db = opts.db ?? (await createTestDatabase());
  const prefix = `kt_${uniqueSuffix()}`;
  const config = AppConfig.fromProcess({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: 20,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PROJECTION_POLL_MS: 50,
    KENBUN_ROLES: '',
    KENBUN_ADMIN_EMAIL: 'admin@first.example',
    KENBUN_ADMIN_PASSWORD: 'first-admin-password-1',
    // tests make many requests with one credential; the rate-limit test sets tight limits per organization
    RATE_LIMIT_PER_MINUTE: 100_000,
    RATE_LIMIT_BURST: 100_000,
    // fake receivers listen on 127.0.0.1 (127.0.0.2 stays refused, for tests of the outbound guard); retries in ms, not minutes
    OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
    NOTIFICATION_RETRY_BASE_MS: 20,
    ...opts.env,
  });
  const clock = opts.clock ?? new SettableClock();
  let builder = Test.createTestingModule({
    imports: [AppModule.forRoles(config, opts.roles ?? ['api', 'worker']), ...(opts.imports ?? [])],
    providers: opts.providers ?? [],
  })
    .overrideProvider(Clock)
    .useValue(clock);
  for (const o of opts.overrides ?? []) builder = builder.overrideProvider(o.provide).useClass(o.useClass);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(config), { logger: false });
  await configureHttp(app, config);
  await app.init();
  // supertest talks to the Node server: Fastify answers once its plugins and routes are loaded
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    clock,
    db,
    http: app.getHttpServer(),
    close: async () => {
      // as a worker process shuts down (bootstrap.ts): its queues pause together, then connections close. Closed
      // one by one without it, each Bull queue waited 500 ms for its blocked connection (5 s per test app)
      if ((opts.roles ?? ['api', 'worker']).includes('worker')) await app.get(WorkerLifecycle, { strict: false }).drain();
      await app.close();
      await flushRedisPrefix(prefix);
      if (!opts.db) await db.drop();
    },
  };
}

export async function flushRedisPrefix(prefix: string): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` until it returns a truthy value (or throws after `timeoutMs`). No fixed sleeps. */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = 15000, everyMs = 50): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
