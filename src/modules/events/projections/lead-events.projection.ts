import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { StoredEvent } from '../../../platform/event-store/event-store.types';
import { MetricsService } from '../../../platform/metrics/metrics.service';
import { Projection, ReadModelProjection } from '../../../platform/projections/projection';
import {
  LeadEvent,
  LeadEventRecordedPayload,
  LeadEventRegroupedPayload,
  LeadEventsAdoptedPayload,
  LeadEventsDeletedPayload,
  LeadRescoredPayload,
  LeadScoresResetPayload,
  SuppressedEventRecordedPayload,
} from '../../leads';
import { eventTypeDisplayName } from '../../scoring/domain/event-type';
import { roundScore } from '../../scoring/domain/score-rounding';
import { StreamBus, StreamMessage } from '../../stream/stream-bus';
import { recomputeLeadScores } from './lead-scores.sql';

/**
 * Read models of everything that happened to leads: `lead_events` (every stored event, suppressed ones with
 * their reason), `event_scores` (each event's undecayed contribution per ruleset), `lead_scores` (per lead and
 * ruleset, recomputed for the leads a batch touched), event type counts and metadata keys, channels, and the
 * lead's activity columns. After commit it pushes `event_ingested` and `score_update` to the OU's stream and
 * observes the ingest-to-score latency.
 */
@ReadModelProjection()
@Injectable()
export class LeadEventsProjection implements Projection {
  readonly name = 'lead-events';
  readonly tables = ['lead_events', 'event_scores', 'lead_scores', 'event_type_stats', 'event_type_properties', 'unit_channels'];
  readonly eventTypes = [
    LeadEvent.EventRecorded,
    LeadEvent.SuppressedEventRecorded,
    LeadEvent.EventRegrouped,
    LeadEvent.EventsDeleted,
    LeadEvent.Rescored,
    LeadEvent.ScoresReset,
    LeadEvent.EventsAdopted,
  ];
  private readonly pending = new WeakMap<StoredEvent[], Map<string, StreamMessage[]>>();

  constructor(private readonly clock: Clock, private readonly bus: StreamBus, private readonly metrics: MetricsService) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const messages = new Map<string, StreamMessage[]>();
    const push = (unit: string, msg: StreamMessage) => messages.set(unit, [...(messages.get(unit) ?? []), msg]);
    const touched = new Set<string>();
    const activity = new Set<string>();
    let run: StoredEvent[] = [];
    const flush = async () => {
      if (run.length) await this.record(run, m, touched, activity, push);
      run = [];
    };
    // consecutive recorded events are written in bulk; the rarer kinds apply in order between runs
    for (const e of events) {
      if (e.eventType === LeadEvent.EventRecorded || e.eventType === LeadEvent.SuppressedEventRecorded) {
        run.push(e);
        continue;
      }
      await flush();
      if (e.eventType === LeadEvent.EventRegrouped) await this.regroup(e, m, touched, activity);
      else if (e.eventType === LeadEvent.EventsDeleted) await this.deleted(e, m, touched, activity);
      else if (e.eventType === LeadEvent.Rescored) await this.rescored(e, m, touched);
      else if (e.eventType === LeadEvent.ScoresReset) {
        // `leads.score_reset_at` moved inline with the append; the scores follow here
        touched.add(e.streamId);
        const p = e.payload as LeadScoresResetPayload;
        const leadId = p.lead_id ?? (await m.query(`SELECT lead_id FROM leads WHERE id = $1`, [e.streamId]))[0]?.lead_id ?? null;
        await this.timeline(e, m, leadId, 'score_reset', p.reset_at, { reset_at: p.reset_at, previous_scores: p.previous_scores });
        push(e.metadata.unit_id as string, { event: 'score_reset', data: { lead_id: leadId, lead_ref: e.streamId, reset_at: p.reset_at, previous_scores: p.previous_scores } });
      } else if (e.eventType === LeadEvent.EventsAdopted) await this.adopted(e, m, touched, activity);
    }
    await flush();
    if (activity.size) await this.refreshActivity([...activity], m);
    if (touched.size) {
      const changes = await recomputeLeadScores(m, [...touched], this.clock.now());
      for (const c of changes) {
        push(c.unit_id, { event: 'score_update', data: { lead_id: c.lead_id, ruleset_id: c.ruleset_id, delta: roundScore(c.score) - roundScore(c.previous), score: roundScore(c.score) } });
      }
    }
    if (messages.size) this.pending.set(events, messages);
  }

  async afterCommit(events: StoredEvent[]): Promise<void> {
    const now = Date.now();
    for (const e of events) {
      if (e.eventType === LeadEvent.EventRecorded) {
        this.metrics.ingestToScoreLatency.observe(Math.max(0, now - Date.parse((e.payload as LeadEventRecordedPayload).received_at)) / 1000);
      }
    }
    const messages = this.pending.get(events);
    if (!messages) return;
    this.pending.delete(events);
    for (const [unit, list] of messages) await this.bus.publish(unit, list);
  }

  private async record(
    events: StoredEvent[],
    m: EntityManager,
    touched: Set<string>,
    activity: Set<string>,
    push: (unit: string, msg: StreamMessage) => void,
  ): Promise<void> {
    const rows = events.map((e) => {
      const p = e.payload as LeadEventRecordedPayload | SuppressedEventRecordedPayload;
      const leadRef = e.eventType === LeadEvent.EventRecorded ? e.streamId : (p as SuppressedEventRecordedPayload).lead_ref;
      return { e, p, leadRef };
    });
    await m.query(
      `INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at,
                                recorded_at, metadata, channel, suppression, filter_id, client_event_id, source, skip_triggers)
       SELECT x.event_id, x.org_id, x.unit_id, x.lead_ref, x.lead_id, x.event_type, x.event_type_key, x.occurred_at, x.received_at,
              x.recorded_at, x.metadata, x.channel, x.suppression, x.filter_id, x.client_event_id, x.source, x.skip_triggers
         FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, org_id text, unit_id text, lead_ref text, lead_id text, event_type text,
              event_type_key text, occurred_at timestamptz, received_at timestamptz, recorded_at timestamptz, metadata jsonb,
              channel text, suppression text, filter_id text, client_event_id text, source text, skip_triggers boolean)
       ON CONFLICT (event_id) DO NOTHING`,
      [
        JSON.stringify(
          rows.map(({ e, p, leadRef }) => ({
            event_id: p.event_id,
            org_id: e.metadata.org_id,
            unit_id: e.metadata.unit_id,
            lead_ref: leadRef,
            lead_id: p.lead_id,
            event_type: p.event_type,
            event_type_key: p.event_type_key,
            occurred_at: p.occurred_at,
            received_at: p.received_at,
            recorded_at: e.recordedAt,
            metadata: p.metadata,
            channel: p.channel,
            suppression: p.suppression,
            filter_id: p.filter_id,
            client_event_id: p.client_event_id,
            source: p.source,
            skip_triggers: p.skip_triggers,
          })),
        ),
      ],
    );
    const scores = rows.flatMap(({ e, p, leadRef }) =>
      p.contributions.map((c) => ({
        event_id: p.event_id,
        ruleset_id: c.ruleset_id,
        org_id: e.metadata.org_id,
        unit_id: e.metadata.unit_id,
        lead_ref: leadRef,
        rule_id: c.rule_id,
        base_points: c.base_points,
        multiplier: c.multiplier,
        half_life_days: c.half_life_days,
        occurred_at: p.occurred_at,
      })),
    );
    if (scores.length) {
      await m.query(
        `INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, ruleset_id text, org_id text, unit_id text, lead_ref text,
                rule_id text, base_points double precision, multiplier double precision, half_life_days integer, occurred_at timestamptz)
         ON CONFLICT (event_id, ruleset_id) DO NOTHING`,
        [JSON.stringify(scores)],
      );
    }
    // event types (with Title Case display names), their metadata keys, channels
    const types = new Map<string, { org_id: string; unit_id: string; key: string; name: string; n: number; first: string; last: string }>();
    const props = new Set<string>();
    const channels = new Map<string, { unit_id: string; channel: string; at: string }>();
    const latest = new Map<string, { ref: string; last_at: string; last_type: string; n: number }>();
    for (const { e, p } of rows) {
      const unit = e.metadata.unit_id as string;
      const k = `${unit}\u0000${p.event_type_key}`;
      const t = types.get(k) ?? { org_id: e.metadata.org_id as string, unit_id: unit, key: p.event_type_key, name: eventTypeDisplayName(p.event_type), n: 0, first: p.occurred_at, last: p.occurred_at };
      t.n++;
      if (p.occurred_at < t.first) t.first = p.occurred_at;
      if (p.occurred_at > t.last) t.last = p.occurred_at;
      types.set(k, t);
      for (const prop of Object.keys(p.metadata ?? {})) props.add(JSON.stringify([unit, p.event_type_key, prop]));
      channels.set(`${unit}\u0000${p.channel}`, { unit_id: unit, channel: p.channel, at: p.occurred_at });
      if (e.eventType === LeadEvent.EventRecorded) {
        if (p.suppression === null) {
          const a = latest.get(e.streamId);
          if (!a || p.occurred_at >= a.last_at) latest.set(e.streamId, { ref: e.streamId, last_at: p.occurred_at, last_type: p.event_type, n: (a?.n ?? 0) + 1 });
          else a.n++;
        }
        if (p.contributions.length) touched.add(e.streamId);
        push(unit, { event: 'event_ingested', data: { event_id: p.event_id, lead_id: p.lead_id, event_type: p.event_type, timestamp: p.occurred_at, suppressed: p.suppression } });
      }
    }
    await m.query(
      `INSERT INTO event_type_stats (unit_id, key, org_id, name, event_count, first_seen, last_seen)
       SELECT x.unit_id, x.key, x.org_id, x.name, x.n, x.first, x.last
         FROM jsonb_to_recordset($1::jsonb) AS x(unit_id text, key text, org_id text, name text, n bigint, first timestamptz, last timestamptz)
       ON CONFLICT (unit_id, key) DO UPDATE SET event_count = event_type_stats.event_count + excluded.event_count,
              first_seen = least(event_type_stats.first_seen, excluded.first_seen), last_seen = greatest(event_type_stats.last_seen, excluded.last_seen)`,
      [JSON.stringify([...types.values()])],
    );
    if (props.size) {
      const list = [...props].map((s) => JSON.parse(s) as [string, string, string]);
      await m.query(
        `INSERT INTO event_type_properties (unit_id, key, property)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [list.map((l) => l[0]), list.map((l) => l[1]), list.map((l) => l[2])],
      );
    }
    if (latest.size) {
      // last activity moves forward incrementally (deletions and regroups recompute it, see refreshActivity)
      await m.query(
        `UPDATE leads l SET
                last_event_type = CASE WHEN l.last_event_at IS NULL OR x.last_at >= l.last_event_at THEN x.last_type ELSE l.last_event_type END,
                last_event_at = greatest(l.last_event_at, x.last_at),
                event_count = l.event_count + x.n,
                updated_at = greatest(l.updated_at, x.last_at)
           FROM jsonb_to_recordset($1::jsonb) AS x(ref text, last_at timestamptz, last_type text, n int)
          WHERE l.id = x.ref`,
        [JSON.stringify([...latest.values()])],
      );
    }
    const ch = [...channels.values()];
    await m.query(
      `INSERT INTO unit_channels (unit_id, channel, first_seen) SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[])
       ON CONFLICT (unit_id, channel) DO UPDATE SET first_seen = least(unit_channels.first_seen, excluded.first_seen)`,
      [ch.map((c) => c.unit_id), ch.map((c) => c.channel), ch.map((c) => c.at)],
    );
  }

  private async regroup(e: StoredEvent, m: EntityManager, touched: Set<string>, activity: Set<string>): Promise<void> {
    const p = e.payload as LeadEventRegroupedPayload;
    await m.query(`UPDATE lead_events SET suppression = $2 WHERE event_id = $1`, [p.event_id, p.suppression]);
    await m.query(`DELETE FROM event_scores WHERE event_id = $1`, [p.event_id]);
    touched.add(e.streamId);
    activity.add(e.streamId);
  }

  private async deleted(e: StoredEvent, m: EntityManager, touched: Set<string>, activity: Set<string>): Promise<void> {
    const p = e.payload as LeadEventsDeletedPayload;
    const gone: { unit_id: string; event_type_key: string; n: number }[] = await m.query(
      `WITH d AS (DELETE FROM lead_events WHERE event_id = ANY($1::uuid[]) RETURNING unit_id, event_type_key)
       SELECT unit_id, event_type_key, count(*)::int AS n FROM d GROUP BY unit_id, event_type_key`,
      [p.event_ids],
    );
    await m.query(`DELETE FROM event_scores WHERE event_id = ANY($1::uuid[])`, [p.event_ids]);
    for (const g of gone) {
      await m.query(`UPDATE event_type_stats SET event_count = greatest(0, event_count - $3) WHERE unit_id = $1 AND key = $2`, [g.unit_id, g.event_type_key, g.n]);
    }
    touched.add(e.streamId);
    activity.add(e.streamId);
  }

  private async rescored(e: StoredEvent, m: EntityManager, touched: Set<string>): Promise<void> {
    const p = e.payload as LeadRescoredPayload;
    const drop = p.changes.filter((c) => c.contribution === null).map((c) => c.event_id);
    if (drop.length) await m.query(`DELETE FROM event_scores WHERE ruleset_id = $1 AND event_id = ANY($2::uuid[])`, [p.ruleset_id, drop]);
    const set = p.changes.filter((c) => c.contribution !== null);
    if (set.length) {
      await m.query(
        `INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
         SELECT x.event_id, $2, $3, $4, $5, x.rule_id, x.base_points, x.multiplier, x.half_life_days, le.occurred_at
           FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, rule_id text, base_points double precision, multiplier double precision, half_life_days integer)
           JOIN lead_events le ON le.event_id = x.event_id
         ON CONFLICT (event_id, ruleset_id) DO UPDATE SET rule_id = excluded.rule_id, base_points = excluded.base_points,
                multiplier = excluded.multiplier, half_life_days = excluded.half_life_days`,
        [JSON.stringify(set.map((c) => ({ event_id: c.event_id, ...c.contribution }))), p.ruleset_id, e.metadata.org_id, e.metadata.unit_id, e.streamId],
      );
    }
    touched.add(e.streamId);
  }

  /**
   * MRG-2/6: the moved events now belong to the target (keeping `original_lead_id`), their contributions are the
   * rescored ones; the target's timeline gets a `lead_merged` entry. Both sides' scores and activity are recomputed.
   */
  private async adopted(e: StoredEvent, m: EntityManager, touched: Set<string>, activity: Set<string>): Promise<void> {
    const p = e.payload as LeadEventsAdoptedPayload;
    const [target] = await m.query(`SELECT lead_id FROM leads WHERE id = $1`, [e.streamId]);
    const ids = p.events.map((x) => x.event_id);
    if (ids.length) {
      await m.query(
        `UPDATE lead_events le SET lead_ref = $2, lead_id = $3, original_lead_id = x.original_lead_id, reset_excluded = x.reset_excluded
           FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, original_lead_id text, reset_excluded boolean)
          WHERE le.event_id = x.event_id`,
        [JSON.stringify(p.events.map((x) => ({ event_id: x.event_id, original_lead_id: x.original_lead_id, reset_excluded: x.reset_excluded }))), e.streamId, target?.lead_id ?? null],
      );
      await m.query(`DELETE FROM event_scores WHERE event_id = ANY($1::uuid[])`, [ids]);
      const scores = p.events.flatMap((x) =>
        x.contributions.map((c) => ({ event_id: x.event_id, ruleset_id: c.ruleset_id, rule_id: c.rule_id, base_points: c.base_points, multiplier: c.multiplier, half_life_days: c.half_life_days, occurred_at: x.occurred_at })),
      );
      if (scores.length) {
        await m.query(
          `INSERT INTO event_scores (event_id, ruleset_id, org_id, unit_id, lead_ref, rule_id, base_points, multiplier, half_life_days, occurred_at)
           SELECT x.event_id, x.ruleset_id, $2, $3, $4, x.rule_id, x.base_points, x.multiplier, x.half_life_days, x.occurred_at
             FROM jsonb_to_recordset($1::jsonb) AS x(event_id uuid, ruleset_id text, rule_id text, base_points double precision, multiplier double precision,
                  half_life_days integer, occurred_at timestamptz)
           ON CONFLICT (event_id, ruleset_id) DO NOTHING`,
          [JSON.stringify(scores), e.metadata.org_id, e.metadata.unit_id, e.streamId],
        );
      }
    }
    await this.timeline(e, m, target?.lead_id ?? null, 'lead_merged', e.occurredAt.toISOString(), {
      source_lead_ids: p.source_lead_ids,
      moved_events: p.events.length,
      truncated_events: p.truncated_events,
      merged_by: p.merged_by,
    });
    for (const ref of [e.streamId, ...p.source_refs]) {
      touched.add(ref);
      activity.add(ref);
    }
  }

  /** A system entry of a lead's timeline (`score_reset`, `lead_merged`): never scored, not activity. */
  private async timeline(e: StoredEvent, m: EntityManager, leadId: string | null, type: string, at: string, metadata: Record<string, unknown>): Promise<void> {
    await m.query(
      `INSERT INTO lead_events (event_id, org_id, unit_id, lead_ref, lead_id, event_type, event_type_key, occurred_at, received_at, recorded_at, metadata, channel, source)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $8, $9, 'system', 'system')
       ON CONFLICT (event_id) DO NOTHING`,
      [e.eventId, e.metadata.org_id, e.metadata.unit_id, e.streamId, leadId, type, at, e.recordedAt, JSON.stringify(metadata)],
    );
  }

  /** Last activity of each lead from its unsuppressed events (MF-4: suppressed events are not activity). */
  private async refreshActivity(leadRefs: string[], m: EntityManager): Promise<void> {
    await m.query(
      `UPDATE leads l SET last_event_at = a.last_at, last_event_type = a.last_type, event_count = a.n, updated_at = greatest(l.updated_at, coalesce(a.last_at, l.updated_at))
         FROM (SELECT r.ref,
                      (SELECT max(occurred_at) FROM lead_events e WHERE e.lead_ref = r.ref AND e.suppression IS NULL AND e.source <> 'system') AS last_at,
                      (SELECT event_type FROM lead_events e WHERE e.lead_ref = r.ref AND e.suppression IS NULL AND e.source <> 'system' ORDER BY occurred_at DESC, event_id DESC LIMIT 1) AS last_type,
                      (SELECT count(*)::int FROM lead_events e WHERE e.lead_ref = r.ref AND e.suppression IS NULL AND e.source <> 'system') AS n
                 FROM unnest($1::text[]) AS r(ref)) a
        WHERE l.id = a.ref`,
      [leadRefs],
    );
  }
}
