import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { EventStore } from '../event-store/event-store.service';
import { Checkpoint, START } from '../event-store/event-store.types';
import { ProjectionRegistry } from './projection.registry';
import { ProjectionRunner } from './projection-runner.service';

export type RebuildProgress = (done: number, total: number) => void;

/**
 * Replays the whole store into a projection's emptied tables. Runs in one transaction holding the
 * projection's checkpoint lock: live workers skip the projection meanwhile, readers keep seeing the old
 * rows until the rebuilt ones commit (DELETE, not TRUNCATE, so reads are never blocked).
 */
@Injectable()
export class ProjectionRebuilder {
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly registry: ProjectionRegistry,
    private readonly runner: ProjectionRunner,
    private readonly config: AppConfig,
  ) {}

  names(): string[] {
    return this.registry.all().map((p) => p.name);
  }

  async rebuild(name: string, onProgress?: RebuildProgress): Promise<number> {
    const p = this.registry.get(name);
    const total = await this.store.headPosition();
    await this.runner.ensureCheckpoint(p.name);
    const started = Date.now();
    await this.waitUntilStoreVisible();
    const replayed = await this.dataSource.transaction(async (m) => {
      await m.query(`SELECT 1 FROM projection_checkpoints WHERE name = $1 FOR UPDATE`, [p.name]);
      // marks the transaction as this projection's replay (`inRebuild`)
      await m.query(`SELECT set_config('kenbun.rebuild', $1, true)`, [p.name]);
      for (const table of p.tables) {
        const kept = p.keptOnRebuild?.[table];
        await m.query(`DELETE FROM ${quoteIdent(table)}${kept ? ` WHERE NOT (${kept})` : ''}`);
      }
      await m.query(
        `UPDATE projection_checkpoints SET last_transaction_id = '0'::xid8, last_position = 0, events_processed = 0, updated_at = now() WHERE name = $1`,
        [p.name],
      );
      let from: Checkpoint = START;
      let done = 0;
      onProgress?.(0, total);
      for (;;) {
        const { applied, next } = await this.runner.applyFrom(p, from, this.config.env.PROJECTION_BATCH_SIZE, m);
        if (!applied) break;
        done += applied;
        from = next;
        onProgress?.(done, Math.max(total, done));
      }
      await p.afterRebuild?.(m);
      return done;
    });
    this.logger.log({ msg: 'projection rebuilt', projection: p.name, events: replayed, ms: Date.now() - started });
    return replayed;
  }

  /**
   * The replay reads only below the oldest running transaction (commit-safe order). A transaction already open
   * somewhere on the server when the last events committed would hide them from the replay and leave the rebuilt
   * tables short until the live runner catches up; so wait (bounded) until every stored event is visible.
   */
  private async waitUntilStoreVisible(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [r] = await this.dataSource.query(
        `SELECT coalesce((SELECT max(transaction_id) FROM event_store_events) < pg_snapshot_xmin(pg_current_snapshot()), true) AS visible`,
      );
      if (r.visible) return;
      if (Date.now() > deadline) {
        this.logger.warn({ msg: 'rebuilding while an older transaction hides recent events; the live runner applies them later' });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected table name ${name}`);
  return `"${name}"`;
}
