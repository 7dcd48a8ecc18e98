import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoOrNull } from '../http/iso-date';
import { selectRows, sql } from '../database/sql';
import { ProjectionRegistry } from './projection.registry';

export interface ProjectionStatus {
  name: string;
  /** running | failing | new | inline (applied with each append) */
  status: string;
  events_processed: number;
  /** committed events not applied yet */
  lag: number;
  last_error: string | null;
  updated_at: string | null;
}

export interface ProjectionLag {
  name: string;
  /** committed events after the checkpoint, counted up to METRICS_LAG_COUNT_CAP */
  events: number;
  /** seconds since the oldest of them was recorded (PostgreSQL's clock, which stamped it); 0 when caught up */
  oldestAgeSeconds: number;
}

/**
 * How far lag is counted: the count reads one index entry per unapplied event, per projection. The operations view
 * (GET /admin/projections, asked for by a person) counts up to a million; /metrics (scraped by a machine, and read by
 * alerts whose threshold is far lower) up to 10,000 — a backlog of 50,000 events over a dozen projections made
 * each scrape read 600,000 entries. projection_lag_seconds tells how deep a larger backlog is.
 */
export const LAG_COUNT_CAP = 1_000_000;
export const METRICS_LAG_COUNT_CAP = 10_000;

interface LagRow {
  name: string;
  status: string | null;
  events_processed: string | number | null;
  last_error: string | null;
  updated_at: Date | null;
  lag: string | number;
  oldest_age_seconds: string | number | null;
}

/** Every registered projection with its checkpoint, lag and last error, for operators and /metrics. */
@Injectable()
export class ProjectionStatusReader {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly dataSource: DataSource,
  ) {}

  async list(): Promise<ProjectionStatus[]> {
    const rows = new Map((await this.read(LAG_COUNT_CAP)).map((r) => [r.name, r]));
    return this.registry.all().map((p) => {
      const row = rows.get(p.name);
      const eventsProcessed = Number(row?.events_processed ?? 0);
      if (p.mode === 'inline') return { name: p.name, status: 'inline', events_processed: eventsProcessed, lag: 0, last_error: null, updated_at: null };
      return {
        name: p.name,
        status: row?.status ?? 'new',
        events_processed: eventsProcessed,
        lag: Number(row?.lag ?? 0),
        last_error: row?.last_error ?? null,
        updated_at: isoOrNull(row?.updated_at),
      };
    });
  }

  /** Lag of every projection the runner feeds (inline ones are applied with each append and never lag). */
  async lags(): Promise<ProjectionLag[]> {
    const rows = new Map((await this.read(METRICS_LAG_COUNT_CAP)).map((r) => [r.name, r]));
    return this.registry.all().map((p) => {
      const row = p.mode === 'inline' ? undefined : rows.get(p.name);
      return { name: p.name, events: Number(row?.lag ?? 0), oldestAgeSeconds: Math.max(0, Number(row?.oldest_age_seconds ?? 0)) };
    });
  }

  /**
   * One statement for all projections. A projection without a checkpoint row yet lags by the whole store. Both
   * subqueries walk the commit-order index from the checkpoint (`transaction_id >= …` bounds the range: the row
   * comparison alone made the planner scan the whole store, see EventStore): the count reads as many entries as the
   * lag (at most `cap`), the oldest event one.
   */
  private read(cap: number): Promise<LagRow[]> {
    const names = this.registry.all().map((p) => p.name);
    if (!names.length) return Promise.resolve([]);
    return selectRows<LagRow>(
      this.dataSource,
      sql`SELECT p.name, c.status, c.events_processed, c.last_error, c.updated_at,
                 (SELECT count(*) FROM (SELECT 1 FROM event_store_events e
                                         WHERE e.transaction_id >= cp.tx AND (e.transaction_id, e.global_position) > (cp.tx, cp.pos)
                                         LIMIT ${cap}) unapplied) AS lag,
                 (SELECT extract(epoch FROM clock_timestamp() - e.recorded_at) FROM event_store_events e
                   WHERE e.transaction_id >= cp.tx AND (e.transaction_id, e.global_position) > (cp.tx, cp.pos)
                   ORDER BY e.transaction_id, e.global_position LIMIT 1) AS oldest_age_seconds
            FROM unnest(${names}::text[]) AS p(name)
            LEFT JOIN projection_checkpoints c ON c.name = p.name
           CROSS JOIN LATERAL (SELECT coalesce(c.last_transaction_id, '0'::xid8) AS tx, coalesce(c.last_position, 0) AS pos) cp`,
    );
  }
}
