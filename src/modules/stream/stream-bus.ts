import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS } from '../../platform/redis';

export type StreamEventName = 'score_update' | 'event_ingested' | 'surge' | 'level_changed' | 'score_reset';

export interface StreamMessage {
  event: StreamEventName;
  data: Record<string, unknown>;
}

type Listener = (message: StreamMessage) => void;

/**
 * Real-time messages per OU over Redis pub/sub: any process publishes (the worker after its read models
 * commit), every api process relays to its SSE clients of that OU. One subscriber connection per process,
 * subscribed to the OUs that currently have listeners.
 */
@Injectable()
export class StreamBus implements OnApplicationShutdown {
  private readonly log = new Logger(StreamBus.name);
  private subscriber: Redis | null = null;
  /** per OU with listeners: its SUBSCRIBE, done or under way */
  private readonly subscribed = new Map<string, Promise<void>>();
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  private channel(unitId: string): string {
    return `${this.config.env.QUEUE_PREFIX}:stream:${unitId}`;
  }

  async publish(unitId: string, messages: StreamMessage[]): Promise<void> {
    if (!messages.length) return;
    const pipeline = this.redis.pipeline();
    for (const m of messages) pipeline.publish(this.channel(unitId), JSON.stringify(m));
    await pipeline.exec();
  }

  /** Listens to one OU's messages; returns the function that stops listening. */
  async listen(unitId: string, listener: Listener): Promise<() => void> {
    const sub = this.ensureSubscriber();
    let set = this.listeners.get(unitId);
    if (!set) {
      set = new Set();
      this.listeners.set(unitId, set);
      this.subscribed.set(
        unitId,
        sub.subscribe(this.channel(unitId)).then(() => undefined),
      );
    }
    set.add(listener);
    // a listener joining while the OU's subscription is still under way waits for it too
    await this.subscribed.get(unitId);
    return () => {
      const current = this.listeners.get(unitId);
      if (!current) return;
      current.delete(listener);
      if (current.size === 0) {
        this.listeners.delete(unitId);
        this.subscribed.delete(unitId);
        void sub.unsubscribe(this.channel(unitId)).catch(() => undefined);
      }
    };
  }

  private ensureSubscriber(): Redis {
    if (this.subscriber) return this.subscriber;
    const sub = this.redis.duplicate();
    const prefix = `${this.config.env.QUEUE_PREFIX}:stream:`;
    sub.on('message', (channel: string, raw: string) => {
      if (!channel.startsWith(prefix)) return;
      const set = this.listeners.get(channel.slice(prefix.length));
      if (!set) return;
      let message: StreamMessage;
      try {
        message = JSON.parse(raw);
      } catch {
        return;
      }
      for (const l of set) l(message);
    });
    sub.on('error', (err) => this.log.warn({ err: err.message }, 'stream subscriber error'));
    this.subscriber = sub;
    return sub;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.subscriber) await this.subscriber.quit().catch(() => this.subscriber?.disconnect());
  }
}
