import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { isoOrNull } from '../http/iso-date';
import { selectOne, sql } from '../database/sql';
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

interface CheckpointRow {
  status: string;
  events_processed: string | number;
  last_error: string | null;
  updated_at: Date | null;
  lag: string | number;
}

/** Every registered projection with its checkpoint, lag and last error, for operators. */
@Injectable()
export class ProjectionStatusReader {
  constructor(
    private readonly registry: ProjectionRegistry,
    private readonly dataSource: DataSource,
  ) {}

  async list(): Promise<ProjectionStatus[]> {
    return Promise.all(
      this.registry.all().map(async (p) => {
        const row = await selectOne<CheckpointRow>(
          this.dataSource,
          sql`SELECT c.status, c.events_processed, c.last_error, c.updated_at,
                     (SELECT count(*) FROM event_store_events e
                       WHERE (e.transaction_id, e.global_position) > (c.last_transaction_id, c.last_position)) AS lag
                FROM projection_checkpoints c WHERE c.name = ${p.name}`,
        );
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
      }),
    );
  }
}
