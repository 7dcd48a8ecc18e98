import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { TriggerCreatedPayload, TriggerEvents, TriggerFields, TriggerStatePayload, TriggerUpdatedPayload } from '../domain';

const JSONB = new Set<keyof TriggerFields>(['config', 'emails']);

/** The columns of `triggers` written from a trigger's fields (keys are the same names). */
const COLUMNS: (keyof TriggerFields)[] = [
  'name',
  'description',
  'event_type',
  'event_type_key',
  'score_threshold',
  'fire_mode',
  'cooldown_seconds',
  'config',
  'active',
  'notification_channel_id',
  'webhook_url',
  'teams_webhook_url',
  'emails',
  'email_subject',
  'email_preheader',
  'email_message',
  'slack_target_kind',
  'slack_target_id',
  'notify_owner',
];

/** JSON columns as text; `notify_owner` absent (events from before it existed) = false */
const value = (key: keyof TriggerFields, v: unknown) => (JSONB.has(key) ? JSON.stringify(v) : key === 'notify_owner' ? (v ?? false) : v);

/**
 * The `triggers` read table, applied inline with each Trigger append (a trigger created is listed by the very next
 * request) and replayed by rebuilds; upserts and keyed updates with times from the events, so a replay writes the same rows.
 */
@ReadModelProjection()
@Injectable()
export class TriggersProjection implements Projection {
  readonly name = 'triggers';
  readonly mode = 'inline' as const;
  readonly tables = ['triggers'];
  readonly eventTypes = Object.values(TriggerEvents) as string[];

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    for (const e of events) await this.apply(e, m);
  }

  private async apply(e: StoredEvent, m: EntityManager): Promise<void> {
    switch (e.eventType) {
      case TriggerEvents.Created: {
        const p = e.payload as TriggerCreatedPayload;
        const cols = ['id', 'org_id', 'unit_id', 'kind', ...COLUMNS, 'created_by', 'updated_by', 'created_at', 'updated_at'];
        const values = [e.streamId, p.org_id, p.unit_id, p.kind, ...COLUMNS.map((c) => value(c, p.fields[c])), p.by, p.by, p.at, p.at];
        await m.query(`INSERT INTO triggers (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT (id) DO NOTHING`, values);
        return;
      }
      case TriggerEvents.Updated: {
        const p = e.payload as TriggerUpdatedPayload;
        const keys = (Object.keys(p.changes) as (keyof TriggerFields)[]).filter((k) => COLUMNS.includes(k));
        const sets = keys.map((k, i) => `${k} = $${i + 4}`);
        await m.query(`UPDATE triggers SET ${[...sets, 'updated_by = $2', 'updated_at = $3'].join(', ')} WHERE id = $1`, [
          e.streamId,
          p.by,
          p.at,
          ...keys.map((k) => value(k, p.changes[k])),
        ]);
        return;
      }
      case TriggerEvents.Paused:
      case TriggerEvents.Activated: {
        const p = e.payload as TriggerStatePayload;
        await m.query(`UPDATE triggers SET active = $2, updated_by = $3, updated_at = $4 WHERE id = $1`, [
          e.streamId,
          e.eventType === TriggerEvents.Activated,
          p.by,
          p.at,
        ]);
        return;
      }
      case TriggerEvents.Deleted:
        await m.query(`DELETE FROM triggers WHERE id = $1`, [e.streamId]);
        return;
    }
  }
}
