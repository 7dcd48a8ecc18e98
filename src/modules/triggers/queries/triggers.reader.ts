import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { joinSql, raw, selectOne, selectRows, Sql, sql } from '../../../platform/database';
import { PageRequest } from '../../../platform/http';
import { currentUnit, unitOnly, unitScope } from '../../../platform/tenancy';
import { DeliveryHealth, DeliveryHealthView } from '../../notifications';
import { notFound } from '../commands/trigger-input';
import { TriggerKind } from '../domain';
import { MilestoneEventRow, SequenceEventRow, TriggerRow } from './trigger-views';

const EXPORT_CHUNK = 5000;
const FREQUENCY_DAYS = 30;

/** Reads of triggers, their health and their firings, within the active OU. */
@Injectable()
export class TriggersReader {
  constructor(
    private readonly ds: DataSource,
    private readonly deliveries: DeliveryHealth,
  ) {}

  /** The trigger of the active OU and kind, or 404 (another OU's trigger does not exist for the caller). */
  async get(kind: TriggerKind, id: string): Promise<TriggerRow> {
    const row = await selectOne<TriggerRow>(this.ds, sql`SELECT * FROM triggers WHERE ${unitScope()} AND kind = ${kind} AND id = ${id}`);
    if (!row) throw notFound(kind);
    return row;
  }

  /** Newest first; pattern triggers with their firings of the last 30 days (`frequency_count`). */
  list(kind: TriggerKind): Promise<(TriggerRow & { frequency_count?: number })[]> {
    const frequency =
      kind === 'pattern'
        ? sql`, (SELECT count(*)::int FROM pattern_events p WHERE p.trigger_id = t.id AND p.fired_at >= now() - make_interval(days => ${FREQUENCY_DAYS})) AS frequency_count`
        : raw('');
    return selectRows(this.ds, sql`SELECT t.*${frequency} FROM triggers t WHERE ${unitScope('t')} AND t.kind = ${kind} ORDER BY t.created_at DESC, t.id`);
  }

  health(kind: TriggerKind, id: string): Promise<DeliveryHealthView> {
    return this.deliveries.forTrigger(kind, id);
  }

  /** "Milestone Reached" firings of the active OU, newest first. */
  async milestoneEvents(triggerId: string | undefined, page: PageRequest): Promise<{ items: MilestoneEventRow[]; total: number }> {
    const where = joinSql([unitScope(), sql`kind = 'reached'`, ...(triggerId ? [sql`trigger_id = ${triggerId}`] : [])]);
    const counted = await selectOne<{ total: number }>(this.ds, sql`SELECT count(*)::int AS total FROM milestone_events WHERE ${where}`);
    const items = await selectRows<MilestoneEventRow>(
      this.ds,
      sql`SELECT id, trigger_id, trigger_name, lead_id, score, previous_score, event_id, event_type, fired_at
            FROM milestone_events WHERE ${where} ORDER BY fired_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
    );
    return { items, total: counted!.total };
  }

  async sequenceEvents(sequenceId: string | undefined, page: PageRequest): Promise<{ items: SequenceEventRow[]; total: number }> {
    const where = joinSql([unitScope(), ...(sequenceId ? [sql`sequence_id = ${sequenceId}`] : [])]);
    const counted = await selectOne<{ total: number }>(this.ds, sql`SELECT count(*)::int AS total FROM sequence_events WHERE ${where}`);
    const items = await selectRows<SequenceEventRow>(
      this.ds,
      sql`SELECT id, sequence_id, sequence_name, lead_id, event_types, event_ids, fired_at
            FROM sequence_events WHERE ${where} ORDER BY fired_at DESC, id DESC LIMIT ${page.limit} OFFSET ${page.offset}`,
    );
    return { items, total: counted!.total };
  }

  /** CSV rows of the OU's milestone events, newest first, in keyset pages (the OU is read now, with the request context). */
  exportMilestoneEvents(triggerId: string | undefined): AsyncGenerator<unknown[][]> {
    const unitId = currentUnit().unitId;
    return this.keyset<MilestoneEventRow>(
      'milestone_events',
      'id, trigger_id, trigger_name, lead_id, score, event_type, fired_at',
      joinSql([unitOnly(undefined, unitId), sql`kind = 'reached'`, ...(triggerId ? [sql`trigger_id = ${triggerId}`] : [])]),
      (r) => [r.id, r.trigger_id, r.trigger_name, r.lead_id, Number(r.score), r.event_type, new Date(r.fired_at).toISOString()],
    );
  }

  exportSequenceEvents(sequenceId: string | undefined): AsyncGenerator<unknown[][]> {
    const unitId = currentUnit().unitId;
    return this.keyset<SequenceEventRow>(
      'sequence_events',
      'id, sequence_id, sequence_name, lead_id, event_types, fired_at',
      joinSql([unitOnly(undefined, unitId), ...(sequenceId ? [sql`sequence_id = ${sequenceId}`] : [])]),
      (r) => [r.id, r.sequence_id, r.sequence_name, r.lead_id, r.event_types.join('|'), new Date(r.fired_at).toISOString()],
    );
  }

  private async *keyset<R extends { id: string; fired_at: Date }>(
    table: string,
    columns: string,
    where: Sql,
    toCells: (r: R) => unknown[],
  ): AsyncGenerator<unknown[][]> {
    let afterAt = 'infinity';
    let afterId = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
    for (;;) {
      const page = await selectRows<R>(
        this.ds,
        sql`SELECT ${raw(columns)} FROM ${raw(table)} WHERE ${where} AND (fired_at, id) < (${afterAt}::timestamptz, ${afterId}::uuid)
             ORDER BY fired_at DESC, id DESC LIMIT ${raw(String(EXPORT_CHUNK))}`,
      );
      if (page.length) yield page.map(toCells);
      if (page.length < EXPORT_CHUNK) return;
      const last = page[page.length - 1];
      afterAt = new Date(last.fired_at).toISOString();
      afterId = last.id;
    }
  }
}
