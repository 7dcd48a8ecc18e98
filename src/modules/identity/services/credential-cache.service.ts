import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../../config/app-config';
import { REDIS } from '../../../platform/redis';
import { Principal } from '../../../platform/tenancy';

const TTL_MS = 60_000;
const MAX_ENTRIES = 100_000;

interface Entry {
  /** a Principal (credential keys) or another answer derived from the database (see remember) */
  value: unknown;
  expiresAt: number;
  /** a token's own expiry, compared with the domain clock */
  credentialExpiresAt: number | null;
  tags: string[];
}

/**
 * Verified credentials, kept in process for a minute so a check on the hot path costs a hash and a map
 * lookup. Revoking, deleting or changing a credential or member publishes an invalidation on Redis that
 * every process applies at once. While the subscription is not up (start, Redis outage), nothing is cached:
 * each request goes to the database, so a revocation can never be missed.
 * Other per-credential answers of the request path (the active OU, see OuAccessService) are kept alongside,
 * under their own keys and tags, and evicted by the same invalidations.
 */
@Injectable()
export class CredentialCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CredentialCache');
  private readonly entries = new Map<string, Entry>();
  private subscriber?: Redis;
  private live = false;
  /** bumped on every eviction, so a lookup that raced a revocation does not cache its stale answer */
  private generation = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private get channel(): string {
    return `${this.config.env.QUEUE_PREFIX}:credentials:invalidate`;
  }

  async onModuleInit(): Promise<void> {
    const sub = this.redis.duplicate({ lazyConnect: true });
    this.subscriber = sub;
    const down = () => {
      if (this.live) this.logger.warn({ msg: 'credential invalidations unavailable: caching paused' });
      this.live = false;
      this.clear();
    };
    sub.on('close', down);
    sub.on('end', down);
    sub.on('error', () => undefined);
    sub.on('message', (_channel: string, tag: string) => this.evict(tag));
    sub.on('ready', () => {
      // (re)subscribed: whatever was published while we were away is unknown, so start empty
      void sub.subscribe(this.channel).then(() => {
        this.clear();
        this.live = true;
      }, down);
    });
    await sub.connect().catch(down);
  }

  async onApplicationShutdown(): Promise<void> {
    this.live = false;
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** A marker to pass to `set`: if anything was evicted since, the result is not cached. */
  mark(): number {
    return this.generation;
  }

  get(key: string, now: Date): Principal | undefined {
    if (!this.live) return undefined;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now() || (e.credentialExpiresAt !== null && e.credentialExpiresAt <= now.getTime())) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value as Principal;
  }

  set(key: string, principal: Principal, mark: number, credentialExpiresAt: Date | null = null): void {
    const tags = [principal.activeOuKey, ...(principal.memberId ? [`member:${principal.memberId}`] : [])];
    this.put(key, principal, tags, mark, credentialExpiresAt);
  }

  /** Another cached answer (`key` must not collide with the credential keys: give it a prefix of its own). */
  recall<T>(key: string): { value: T } | undefined {
    if (!this.live) return undefined;
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return { value: e.value as T };
  }

  /** Caches an answer read after `mark()`, evicted by any of `tags` (and the TTL). */
  remember(key: string, value: unknown, tags: string[], mark: number): void {
    this.put(key, value, tags, mark, null);
  }

  private put(key: string, value: unknown, tags: string[], mark: number, credentialExpiresAt: Date | null): void {
    if (!this.live || mark !== this.generation) return;
    if (this.entries.size >= MAX_ENTRIES) this.clear();
    this.entries.set(key, { value, expiresAt: Date.now() + TTL_MS, credentialExpiresAt: credentialExpiresAt?.getTime() ?? null, tags });
  }

  /**
   * Evicts everywhere: this process at once, the others through Redis. Call it after the change is committed.
   * Tags: sa:<id>, pat:<id>, member:<id> (a credential, and a member's JWT and tokens), org:<id> (all of an organization).
   */
  async invalidate(tag: string): Promise<void> {
    this.evict(tag);
    await this.redis.publish(this.channel, tag);
  }

  private evict(tag: string): void {
    this.generation++;
    for (const [key, e] of this.entries) if (e.tags.includes(tag)) this.entries.delete(key);
  }

  private clear(): void {
    this.generation++;
    this.entries.clear();
  }
}
