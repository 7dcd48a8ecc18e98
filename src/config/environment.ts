import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

const toBool = ({ value }: { value: unknown }) => {
  if (typeof value === 'boolean') return value;
  if (value === undefined || value === '') return undefined;
  const v = String(value).toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value; // left as is so that @IsBoolean names it
};
const toInt = ({ value }: { value: unknown }) => {
  if (value === undefined || value === '') return undefined;
  return /^-?\d+$/.test(String(value)) ? Number(value) : value;
};

/**
 * Every setting the server reads, with its default. `.env.example` mirrors this class;
 * a test checks that the two list the same names.
 */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Matches(/^postgres(ql)?:\/\/.+\/[^/?]+/, { message: 'must be a postgres:// URL that names a database' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/kenbun';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @Transform(toBool)
  @IsBoolean()
  DATABASE_MIGRATE_ON_START = true;

  @Transform(toBool)
  @IsBoolean()
  DATABASE_CREATE_IF_MISSING = true;

  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /**
   * Refuse to start (exit 78) when Redis would lose accepted jobs on a restart or a crash: appendonly not yes (RDB
   * snapshots alone lose what came since the last one), or a maxmemory-policy other than noeviction. false: log an
   * error and start anyway.
   */
  @Transform(toBool)
  @IsBoolean()
  REDIS_REQUIRE_PERSISTENCE = false;

  @Matches(/^[a-zA-Z0-9_-]+$/, { message: 'must be letters, digits, _ or -' })
  QUEUE_PREFIX = 'kenbun';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toBool)
  @IsBoolean()
  LOG_PRETTY = false;

  @Matches(/^\d+(b|kb|mb)$/i, { message: 'must be a size such as 512kb or 10mb' })
  HTTP_BODY_LIMIT = '10mb';

  @IsString()
  CORS_ORIGINS = '';

  @Transform(toBool)
  @IsBoolean()
  TRUST_PROXY = false;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600000)
  SHUTDOWN_TIMEOUT_MS = 25000;

  @IsString()
  QUEUE_DASHBOARD_USER = 'admin';

  @IsString()
  QUEUE_DASHBOARD_PASSWORD = '';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  PROJECTION_BATCH_SIZE = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60000)
  PROJECTION_POLL_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(100000)
  EVENT_STORE_SNAPSHOT_EVERY = 200;

  /** Aggregates (leads) a process keeps between transactions instead of rebuilding them from the store; 0: none. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  AGGREGATE_CACHE_SIZE = 20_000;

  @Transform(toBool)
  @IsBoolean()
  SCHEDULER_ENABLED = true;

  /** How long `POST /admin/scheduled-jobs/{name}/run` waits for the run to finish before answering 202 (contracts §1: 60 s). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600000)
  SCHEDULED_JOB_RUN_WAIT_MS = 60000;

  @IsString()
  KENBUN_SECRET_KEY = '';

  @IsString()
  KENBUN_ORG_NAME = 'My organization';

  @Matches(/^[^@\s]+@[^@\s]+$/, { message: 'must be an email address' })
  KENBUN_ADMIN_EMAIL = 'admin@kenbun.local';

  @IsString()
  KENBUN_ADMIN_PASSWORD = '';

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(30 * 86400)
  JWT_TTL_SECONDS = 3600;

  @Transform(toBool)
  @IsBoolean()
  RATE_LIMIT_ENABLED = true;

  @IsIn(['observe', 'enforce'])
  RATE_LIMIT_MODE: 'observe' | 'enforce' = 'enforce';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 100;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_BURST = 200;

  /** Ingest jobs one worker process scores at a time; 1 applies each lead's events strictly in acceptance order. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  INGEST_WORKER_CONCURRENCY = 1;

  /** Concurrent ingest requests are grouped into one queue job for up to this long (group commit). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1000)
  INGEST_COALESCE_MS = 2;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  INGEST_JOB_MAX_EVENTS = 1000;

  /**
   * A worker splits each ingest batch by lead into this many parts and scores them side by side (one transaction
   * each); one lead's events are always in the same part, in acceptance order. Worth raising where PostgreSQL has
   * cores to spare: each part pays a transaction's fixed cost.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  INGEST_PARTITIONS = 1;

  /** A worker takes waiting ingest jobs along with the one it was handed, into one batch of up to this many events. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100000)
  INGEST_WORKER_BATCH_EVENTS = 2000;

  /** How long a request waits for the queue to confirm an enqueue before answering 503. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  INGEST_ENQUEUE_TIMEOUT_MS = 5000;

  /** Bull job lock: a job whose worker stops renewing its lock (a killed process) is redelivered after this long. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600000)
  QUEUE_LOCK_DURATION_MS = 30000;

  /** How often workers look for jobs whose lock expired (stalled jobs) and put them back on the queue. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(600000)
  QUEUE_STALLED_INTERVAL_MS = 30000;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(300000)
  SSE_HEARTBEAT_MS = 15000;

  /** A worker without the api role serves GET /metrics on this port (0 = off). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_METRICS_PORT = 0;

  /** contracts §2: host names, IP addresses or CIDR ranges exempt from the outbound guard (comma-separated); http:// only for these. */
  @IsString()
  OUTBOUND_ALLOW_HOSTS = '';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  OUTBOUND_CONNECT_TIMEOUT_MS = 10000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600000)
  OUTBOUND_TIMEOUT_MS = 30000;

  /** Site analyzer (POST /site-scoring/analyze): HTML pages fetched per analysis in a homepage crawl, the homepage included. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  SITE_ANALYZER_MAX_PAGES = 20;

  /** Site analyzer: sitemap files read per analysis (index files included). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  SITE_ANALYZER_MAX_SITEMAPS = 10;

  /** Site analyzer: page URLs taken per analysis (from sitemaps or links); the rest count in `skipped_urls`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(50000)
  SITE_ANALYZER_MAX_URLS = 1000;

  /** Site analyzer: bytes read of one page or sitemap; the download stops there. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(52428800)
  SITE_ANALYZER_MAX_PAGE_BYTES = 2097152;

  /** Site analyzer: bytes read per analysis, all fetches together. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(268435456)
  SITE_ANALYZER_MAX_TOTAL_BYTES = 10485760;

  /** Site analyzer: wall time of one analysis; it answers with what it found by then. */
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(120000)
  SITE_ANALYZER_TIMEOUT_MS = 20000;

  /** Site analyzer: analyses per minute per organization (bucket of the same size; 0 = no limit of its own). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10000)
  SITE_ANALYZER_PER_MINUTE = 10;

  /** contracts §5: `smtp://user:pass@host:587`; empty = e-mail deliveries fail with a record saying e-mail is not configured. */
  @Matches(/^(smtps?:\/\/.+)?$/, { message: 'must be empty or an smtp:// or smtps:// URL' })
  SMTP_URL = '';

  @IsString()
  SMTP_FROM = 'kenbun <no-reply@kenbun.local>';

  /** NF-2: attempts per notification delivery before `retry_exhausted`. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  NOTIFICATION_MAX_ATTEMPTS = 5;

  /** NF-2: the first retry's delay; later ones are 4, 20 and 60 times it (30 s, 2 min, 10 min, 30 min by default). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  NOTIFICATION_RETRY_BASE_MS = 30000;

  /** Days a delivered notification and its successful attempt are kept (the daily `notifications.prune` job). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  NOTIFICATION_RETENTION_DAYS = 30;

  /** Days a notification given up for good (`terminal_4xx`, `retry_exhausted`) and failed attempts are kept, for NF-1 and re-drives. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3650)
  NOTIFICATION_FAILURE_RETENTION_DAYS = 90;

  /** contracts §3: Slack's Web API (oauth.v2.access, conversations.*, users.*, chat.postMessage), reached through the outbound client. */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  SLACK_API_BASE_URL = 'https://slack.com/api';

  /** contracts §3: where a browser is sent to authorize the Slack app (client_id, scope, redirect_uri, state are appended). */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  SLACK_AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';

  /** contracts §4: HubSpot's API (OAuth token endpoint `/oauth/v1/token`, CRM v3 objects and pipelines), reached through the outbound client. */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  HUBSPOT_API_BASE_URL = 'https://api.hubapi.com';

  /** contracts §4: where a browser is sent to authorize the HubSpot app (client_id, scope, redirect_uri, state are appended). */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  HUBSPOT_AUTHORIZE_URL = 'https://app.hubspot.com/oauth/authorize';

  /** contracts §4: the kenbun-managed (shared) HubSpot OAuth app; empty = no shared app (only BYO credentials connect). */
  @IsString()
  HUBSPOT_CLIENT_ID = '';

  /** contracts §4: the shared app's client secret (never logged); empty = no shared app. */
  @IsString()
  HUBSPOT_CLIENT_SECRET = '';

  /** contracts §3: this server's external URL (the Slack OAuth redirect_uri is `<it>/slack/oauth/callback`). */
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http:// or https:// URL' })
  KENBUN_PUBLIC_URL = 'http://localhost:3000';

  /** contracts §3: where browsers are sent back to after the Slack install (`<it>/settings/integrations`); empty = KENBUN_PUBLIC_URL. */
  @Matches(/^(https?:\/\/[^\s]+)?$/, { message: 'must be empty or an http:// or https:// URL' })
  KENBUN_APP_URL = '';

  /**
   * contracts §6: the billing provider's signing secret (Standard Webhooks, `whsec_<base64>`) that verifies every
   * POST /billing/webhook; empty = no billing provider: every webhook call answers 401.
   */
  @Matches(/^(whsec_[A-Za-z0-9+/]{16,}={0,2})?$/, { message: 'must be empty or a whsec_ secret (whsec_ then base64)' })
  BILLING_WEBHOOK_SECRET = '';

  @IsOptional()
  @IsString()
  KENBUN_ROLES?: string;
}

export type Role = 'api' | 'worker';

/** Parses and validates process.env; throws one error that names every bad setting. */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const known = Object.keys(new Environment());
  const picked: Record<string, unknown> = {};
  for (const key of [...known, 'KENBUN_ROLES']) if (raw[key] !== undefined) picked[key] = raw[key];
  const env = plainToInstance(Environment, picked, { exposeDefaultValues: true });
  const errors = validateSync(env, { skipMissingProperties: false });
  if (errors.length) {
    const lines = errors.map((e) => {
      const got = e.value === undefined ? 'missing' : JSON.stringify(String(e.value));
      return `  ${e.property} (${got}): ${Object.values(e.constraints ?? {}).join('; ')}`;
    });
    throw new ConfigurationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}

export class ConfigurationError extends Error {}
