import { EntityManager } from 'typeorm';
import { execute, sql } from '../../../platform/database';
import { unitOnly } from '../../../platform/tenancy';

/** Writes of what an OU has seen: event types with counts (`event_type_stats`), their metadata keys, channels. */

export interface EventTypeCount {
  org_id: string;
  unit_id: string;
  key: string;
  name: string;
  n: number;
  first: string;
  last: string;
}

export interface EventTypeProperty {
  unit_id: string;
  key: string;
  property: string;
}

export interface ChannelSeen {
  unit_id: string;
  channel: string;
  at: string;
}

export async function countEventTypes(m: EntityManager, counts: EventTypeCount[]): Promise<void> {
  await execute(
    m,
    sql`INSERT INTO event_type_stats (unit_id, key, org_id, name, event_count, first_seen, last_seen)
        SELECT x.unit_id, x.key, x.org_id, x.name, x.n, x.first, x.last
          FROM jsonb_to_recordset(${JSON.stringify(counts)}::jsonb) AS x(unit_id text, key text, org_id text, name text, n bigint, first timestamptz, last timestamptz)
        ON CONFLICT (unit_id, key) DO UPDATE SET event_count = event_type_stats.event_count + excluded.event_count,
               first_seen = least(event_type_stats.first_seen, excluded.first_seen), last_seen = greatest(event_type_stats.last_seen, excluded.last_seen)`,
  );
}

/** Deleted events leave the counts (never below 0); first and last seen stay. */
export async function uncountEventType(m: EntityManager, unitId: string, key: string, n: number): Promise<void> {
  await execute(m, sql`UPDATE event_type_stats SET event_count = greatest(0, event_count - ${n}) WHERE ${unitOnly(undefined, unitId)} AND key = ${key}`);
}

export async function addEventTypeProperties(m: EntityManager, properties: EventTypeProperty[]): Promise<void> {
  if (!properties.length) return;
  await execute(
    m,
    sql`INSERT INTO event_type_properties (unit_id, key, property)
        SELECT * FROM unnest(${properties.map((p) => p.unit_id)}::text[], ${properties.map((p) => p.key)}::text[], ${properties.map((p) => p.property)}::text[]) ON CONFLICT DO NOTHING`,
  );
}

export async function addChannels(m: EntityManager, channels: ChannelSeen[]): Promise<void> {
  await execute(
    m,
    sql`INSERT INTO unit_channels (unit_id, channel, first_seen)
        SELECT * FROM unnest(${channels.map((c) => c.unit_id)}::text[], ${channels.map((c) => c.channel)}::text[], ${channels.map((c) => c.at)}::timestamptz[])
        ON CONFLICT (unit_id, channel) DO UPDATE SET first_seen = least(unit_channels.first_seen, excluded.first_seen)`,
  );
}
