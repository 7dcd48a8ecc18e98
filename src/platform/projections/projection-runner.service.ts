import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { EventBodySelection, EventStore } from '../event-store/event-store.service';
import { Checkpoint, StoredEvent } from '../event-store/event-store.types';
import { Projection, ProjectionSourcesBehind } from './projection';
import { ProjectionRegistry } from './projection.registry';

export interface BatchOutcome {
  /** Events applied by this call (0 when caught up or when another worker holds the projection). */
  applied: number;
  /** False when another process is running this projection right now. */
  acquired: boolean;
}

/**
 * Feeds each projection from the event store by commit-safe global order.
 *
 * One batch = one transaction: lock the checkpoint row (SKIP LOCKED, so several workers share the work
 * without running one projection twice at once), read the next events, apply them, move the checkpoint.
 * A crash anywhere in the batch rolls all of it back; the next run starts at the old checkpoint.
 */
@Injectable()
export class ProjectionRunner implements OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private stopping = false;
  private loops: Promise<void>[] = [];
  private wakers = new Set<() => void>();
  /** counts pokes, so that one arriving while a batch runs is not lost when that batch then finds nothing */
  private pokes = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    private readonly config: AppConfig,
  ) {}

  /** Starts one loop per projection (the worker role calls this). */
  start(): void {
    this.stopping = false;
    const live = this.registry.all().filter((p) => p.mode !== 'inline');
    for (const p of live) this.loops.push(this.loop(p));
    this.logger.log({ msg: 'projection runner started', projections: live.map((p) => p.name) });
  }

  /** Wakes idle loops now instead of at their next poll (an in-process append calls this). */
  poke(): void {
    this.pokes++;
    for (const wake of this.wakers) wake();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Lets the batch in flight finish, then returns. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.poke();
    await Promise.allSettled(this.loops);
    this.loops = [];
  }

  private async loop(p: Projection): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      try {
        const poked = this.pokes;
        const { applied } = await this.runBatch(p);
        failures = 0;
        if (applied === 0 && poked === this.pokes) await this.idle(this.config.env.PROJECTION_POLL_MS);
      } catch (err) {
        if (err instanceof ProjectionSourcesBehind) {
          // not a failure: the batch waits for the projections it reads (see ProjectionSourcesBehind)
          this.logger.debug({ msg: 'projection waits for its sources', projection: p.name, sources: err.sources });
          await this.idle(err.retryInMs);
          continue;
        }
        failures++;
        const delay = Math.min(30_000, 200 * 2 ** Math.min(failures, 8));
        this.logger.error({ msg: 'projection batch failed; retrying from its checkpoint', projection: p.name, err, retry_in_ms: delay });
        await this.recordFailure(p.name, err).catch(() => undefined);
        await this.idle(delay);
      }
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  /** Applies at most one batch of `p`. Exposed for tests, the rebuild command and catch-up. */
  async runBatch(p: Projection, batchSize = this.config.env.PROJECTION_BATCH_SIZE): Promise<BatchOutcome> {
    await this.ensureCheckpoint(p.name);
    // an idle poll stays read-only: no lock, no transaction id, no WAL
    if (!(await this.store.hasEventsAfter(await this.peekCheckpoint(p.name)))) return { applied: 0, acquired: true };
    let applied: StoredEvent[] = [];
    const outcome = await this.dataSource.transaction(async (m): Promise<BatchOutcome> => {
      const [cp] = await m.query(`SELECT last_transaction_id::text AS tx, last_position FROM projection_checkpoints WHERE name = $1 FOR UPDATE SKIP LOCKED`, [
        p.name,
      ]);
      if (!cp) return { applied: 0, acquired: false };
      const from: Checkpoint = { transactionId: cp.tx, position: Number(cp.last_position) };
      const batch = await this.applyFrom(p, from, batchSize, m);
      applied = batch.events;
      return { applied: batch.applied, acquired: true };
    });
    if (applied.length && p.afterCommit) {
      await p.afterCommit(applied).catch((err: Error) => this.logger.warn({ projection: p.name, err: err.message }, 'afterCommit failed'));
    }
    return outcome;
  }

  /** Reads one batch after `from`, applies it and stores the new checkpoint, all in `m`'s transaction. */
  async applyFrom(p: Projection, from: Checkpoint, batchSize: number, m: EntityManager): Promise<{ applied: number; next: Checkpoint; events: StoredEvent[] }> {
    let events: StoredEvent[];
    let next: Checkpoint | null;
    if (p.eventTypes && p.wantsEvents && !(await p.wantsEvents(m))) {
      // nothing to do with any event for now: past them all without reading one
      events = [];
      next = await this.store.visibleHead(from, m);
    } else if (p.eventTypes) {
      const read = await this.store.readTypes(from, batchSize, p.eventTypes, m, bodyOf(p));
      events = read.events;
      // a short batch means every visible event up to the head was looked at: skip the non-matching ones for good
      const last = events[events.length - 1];
      next = events.length < batchSize ? read.head : last ? { transactionId: last.transactionId, position: last.globalPosition } : null;
    } else {
      if (p.payloadFields) throw new Error(`projection ${p.name}: payloadFields needs eventTypes`);
      events = await this.store.readAll(from, batchSize, { manager: m, envelope: p.readsPayload === false });
      const last = events[events.length - 1];
      next = last ? { transactionId: last.transactionId, position: last.globalPosition } : null;
    }
    if (events.length) await p.handle(events, m);
    if (!next) {
      await m.query(`UPDATE projection_checkpoints SET status = 'running', last_error = NULL WHERE name = $1 AND status <> 'running'`, [p.name]);
      return { applied: 0, next: from, events: [] };
    }
    await m.query(
      `UPDATE projection_checkpoints
          SET last_transaction_id = $2::xid8, last_position = $3, events_processed = events_processed + $4,
              status = 'running', last_error = NULL, updated_at = now()
        WHERE name = $1`,
      [p.name, next.transactionId, next.position, events.length],
    );
    return { applied: events.length, next, events };
  }

  /** Runs batches until `p` has nothing left to read (tests and the rebuild command use it). */
  async catchUp(p: Projection, onBatch?: (applied: number) => void): Promise<number> {
    let total = 0;
    for (;;) {
      const { applied, acquired } = await this.runBatch(p);
      if (!acquired) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      if (applied === 0) return total;
      total += applied;
      onBatch?.(applied);
    }
  }

  async checkpoint(name: string): Promise<{ transactionId: string; position: number; eventsProcessed: number; status: string }> {
    const [row] = await this.dataSource.query(
      `SELECT last_transaction_id::text AS tx, last_position, events_processed, status FROM projection_checkpoints WHERE name = $1`,
      [name],
    );
    return row
      ? { transactionId: row.tx, position: Number(row.last_position), eventsProcessed: Number(row.events_processed), status: row.status }
      : { transactionId: '0', position: 0, eventsProcessed: 0, status: 'new' };
  }

  private readonly ensured = new Set<string>();

  async ensureCheckpoint(name: string): Promise<void> {
    if (this.ensured.has(name)) return;
    await this.dataSource.query(`INSERT INTO projection_checkpoints (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
    this.ensured.add(name);
  }

  private async peekCheckpoint(name: string): Promise<Checkpoint> {
    const [cp] = await this.dataSource.query(`SELECT last_transaction_id::text AS tx, last_position FROM projection_checkpoints WHERE name = $1`, [name]);
    return { transactionId: cp?.tx ?? '0', position: Number(cp?.last_position ?? 0) };
  }

  private async recordFailure(name: string, err: Error): Promise<void> {
    await this.dataSource.query(`UPDATE projection_checkpoints SET status = 'failing', last_error = $2, updated_at = now() WHERE name = $1`, [
      name,
      String(err?.stack ?? err).slice(0, 4000),
    ]);
  }
}

/** What of each event's body the runner reads for `p`. */
function bodyOf(p: Projection): EventBodySelection {
  return { envelope: p.readsPayload === false, payloadFields: p.payloadFields };
}
