import { Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { nameUuid, StoredEvent } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { LeadEvent, LeadEventRecordedPayload, LeadScoresResetPayload, LeadStreamType } from '../../leads';
import { DeliveryDestination, DeliveryOutbox, OutboxEnqueue, OwnerNotifications } from '../../notifications';
import { roundScore, ScoreTerms } from '../../scoring/domain';
import {
  advanceScore,
  matchPattern,
  MilestoneKind,
  MilestoneLeadState,
  milestoneStep,
  NEW_MILESTONE_STATE,
  RunningScore,
  ScoreStep,
  SeenEvent,
  sequenceStep,
} from '../domain';
import { ActiveTriggerRow, TriggerSetupCache } from './trigger-setup';
import { notifyTriggerOwner } from './trigger-owner-dm';

interface RunningRow {
  lead_ref: string;
  ruleset_id: string | null;
  terms: ScoreTerms;
  as_of: Date;
}

interface StateRow {
  trigger_id: string;
  lead_ref: string;
  fired_count: number;
  last_fired_at: Date | null;
  above: boolean;
}

interface RecentRow {
  trigger_id: string;
  lead_ref: string;
  event_id: string;
  event_type_key: string;
  occurred_at: Date;
}

/** One firing of the batch, before it is recorded. */
interface Firing {
  id: string;
  trigger: ActiveTriggerRow;
  e: StoredEvent;
  p: LeadEventRecordedPayload;
  milestone?: { kind: MilestoneKind; step: ScoreStep };
  events?: SeenEvent[];
}

const key = (triggerId: string, leadRef: string) => `${triggerId}\u0000${leadRef}`;

export const milestoneEventId = (triggerId: string, leadRef: string, eventId: string, kind: MilestoneKind) =>
  nameUuid(`kenbun:milestone:${triggerId}:${leadRef}:${eventId}:${kind}`);
export const sequenceEventId = (kind: 'sequence' | 'pattern', triggerId: string, leadRef: string, eventId: string) =>
  nameUuid(`kenbun:${kind}:${triggerId}:${leadRef}:${eventId}`);

/** Where a firing goes: the channel first (preferred), then the inline destinations (Slack targets go through a channel). */
function destinationsOf(t: ActiveTriggerRow): DeliveryDestination[] {
  const out: DeliveryDestination[] = [];
  if (t.notification_channel_id) out.push({ kind: 'channel', channelId: t.notification_channel_id });
  if (t.webhook_url) out.push({ kind: 'webhook', url: t.webhook_url });
  if (t.teams_webhook_url) out.push({ kind: 'teams', url: t.teams_webhook_url });
  if (t.emails.length) out.push({ kind: 'email', recipients: t.emails, subjectPrefix: t.email_subject });
  return out;
}

/**
 * Live detection of milestone, sequence and pattern triggers (MS-3/4/10, SEQ-3, PAT-T1) over the Lead streams, with
 * the pure domain functions simulate uses too.
 *
 * Every scored event moves the lead's primary engagement score as the detection follows it (`trigger_lead_scores`:
 * one running sum per half-life, scoring's own score-terms arithmetic), which gives the score just before and just
 * after each event — what a milestone crossing is about. Events that may fire triggers (kept, scope `activate`,
 * not `skip_triggers`) are then stepped through the OU's active triggers (cached per OU until `trigger_setup_version`
 * or `scoring_setup_version` moves) with per-trigger per-lead state read and written once per batch
 * (`trigger_lead_state`, `trigger_recent_events`). Each firing is a row keyed by (trigger, lead, source event) —
 * a replayed batch records nothing twice — and its notifications go to the delivery outbox in the same transaction.
 *
 * A trigger only watches events recorded after it was created, so a rebuild replaying history raises nothing old.
 */
@ReadModelProjection()
@Injectable()
export class TriggerDetectionProjection implements Projection {
  readonly name = 'trigger_detection';
  readonly eventTypes = [LeadEvent.EventRecorded, LeadEvent.ScoresReset];
  readonly tables = ['trigger_lead_scores', 'trigger_lead_state', 'trigger_recent_events', 'milestone_events', 'sequence_events', 'pattern_events'];
  private readonly setups = new TriggerSetupCache();
  /** outbox rows written by a batch (keyed by its first event), queued once that batch's transaction has committed */
  private readonly toDispatch = new Map<string, string[]>();

  constructor(
    private readonly outbox: DeliveryOutbox,
    @Optional() private readonly owners?: OwnerNotifications,
  ) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    // a retried batch starts over: what an earlier, rolled-back attempt wrote is gone
    if (events.length) this.toDispatch.delete(events[0].eventId);
    const relevant = events.filter(
      (e) =>
        e.streamType === LeadStreamType &&
        e.metadata.unit_id &&
        (e.eventType === LeadEvent.ScoresReset || !(e.payload as LeadEventRecordedPayload).suppression),
    );
    if (!relevant.length) return;
    const units = [...new Set(relevant.map((e) => e.metadata.unit_id as string))];
    const setups = await this.setups.load(m, units);
    const refs = [...new Set(relevant.map((e) => e.streamId))];

    const running = new Map<string, RunningScore & { ruleset_id: string | null }>();
    for (const r of await selectRows<RunningRow>(
      m,
      sql`SELECT lead_ref, ruleset_id, terms, as_of FROM trigger_lead_scores WHERE lead_ref = ANY(${refs}::text[])`,
    )) {
      running.set(r.lead_ref, { terms: r.terms, asOf: new Date(r.as_of), ruleset_id: r.ruleset_id });
    }
    const triggers = units.flatMap((u) => setups.get(u)?.triggers ?? []);
    const stateIds = triggers.map((t) => t.id);
    const states = new Map<string, MilestoneLeadState>();
    const recent = new Map<string, SeenEvent[]>();
    const loadedRecent = new Set<string>();
    let levels = new Map<string, string | null>();
    if (triggers.length) {
      for (const s of await selectRows<StateRow>(
        m,
        sql`SELECT * FROM trigger_lead_state WHERE trigger_id = ANY(${stateIds}::text[]) AND lead_ref = ANY(${refs}::text[])`,
      )) {
        states.set(key(s.trigger_id, s.lead_ref), {
          firedCount: s.fired_count,
          lastFiredAt: s.last_fired_at ? new Date(s.last_fired_at) : null,
          above: s.above,
        });
      }
      const windowed = triggers.filter((t) => t.kind !== 'milestone').map((t) => t.id);
      if (windowed.length) {
        for (const r of await selectRows<RecentRow>(
          m,
          sql`SELECT * FROM trigger_recent_events WHERE trigger_id = ANY(${windowed}::text[]) AND lead_ref = ANY(${refs}::text[])`,
        )) {
          const k = key(r.trigger_id, r.lead_ref);
          const list = recent.get(k) ?? [];
          list.push({ event_id: r.event_id, event_type_key: r.event_type_key, at: new Date(r.occurred_at) });
          recent.set(k, list);
          loadedRecent.add(`${k}\u0000${r.event_id}`);
        }
      }
      if (triggers.some((t) => t.config.engagement_levels?.length)) {
        const rows = await selectRows<{ id: string; engagement_level: string | null }>(
          m,
          sql`SELECT id, engagement_level FROM leads WHERE id = ANY(${refs}::text[])`,
        );
        levels = new Map(rows.map((r) => [r.id, r.engagement_level]));
      }
    }

    const touchedScores = new Set<string>();
    const touchedStates = new Set<string>();
    const firings: Firing[] = [];
    for (const e of relevant) {
      const unitId = e.metadata.unit_id as string;
      const setup = setups.get(unitId)!;
      if (e.eventType === LeadEvent.ScoresReset) {
        const at = new Date((e.payload as LeadScoresResetPayload).reset_at);
        running.set(e.streamId, { terms: {}, asOf: at, ruleset_id: setup.primaryRulesetId });
        touchedScores.add(e.streamId);
        continue;
      }
      const p = e.payload as LeadEventRecordedPayload;
      const before = running.get(e.streamId);
      const from = before && before.ruleset_id === setup.primaryRulesetId ? before : null;
      const occurredAt = new Date(p.occurred_at);
      const points = p.contributions.filter((c) => c.ruleset_id === setup.primaryRulesetId);
      const { running: after, step } = advanceScore(from, { event_id: p.event_id, event_type_key: p.event_type_key, occurred_at: occurredAt, points });
      running.set(e.streamId, { ...after, ruleset_id: setup.primaryRulesetId });
      touchedScores.add(e.streamId);
      if (p.scope !== 'activate' || p.skip_triggers) continue;

      for (const t of setup.triggers) {
        if (e.recordedAt.getTime() < t.created_ms) continue;
        const wanted = t.config.engagement_levels;
        if (wanted?.length && !wanted.includes(levels.get(e.streamId) ?? '')) continue;
        const k = key(t.id, e.streamId);
        if (t.kind === 'milestone') {
          if (!t.milestone_rule) continue;
          const r = milestoneStep(t.milestone_rule, states.get(k) ?? NEW_MILESTONE_STATE, step);
          if (r.state !== (states.get(k) ?? NEW_MILESTONE_STATE)) {
            states.set(k, r.state);
            touchedStates.add(k);
          }
          if (r.kind) firings.push({ id: milestoneEventId(t.id, e.streamId, p.event_id, r.kind), trigger: t, e, p, milestone: { kind: r.kind, step } });
          continue;
        }
        const seen: SeenEvent = { event_id: p.event_id, event_type_key: p.event_type_key, at: occurredAt };
        const windowMs = (t.config.window_seconds ?? 0) * 1000;
        let pool = recent.get(k) ?? [];
        const state = states.get(k) ?? NEW_MILESTONE_STATE;
        let match: SeenEvent[] | null;
        if (t.kind === 'sequence') {
          if (!t.config.event_type_keys?.includes(p.event_type_key)) continue;
          match = sequenceStep(
            { stepKeys: t.config.event_type_keys, ordered: !!t.config.ordered, windowMs, fireMode: t.fire_mode },
            { firedCount: state.firedCount },
            pool,
            seen,
          );
        } else {
          if (!t.config.conditions?.some((c) => c.event_type_key === p.event_type_key)) continue;
          match = matchPattern({ conditions: t.config.conditions, windowMs }, pool, seen);
        }
        if (match) {
          const used = new Set(match.map((x) => x.event_id));
          pool = pool.filter((x) => !used.has(x.event_id));
          states.set(k, { ...state, firedCount: state.firedCount + 1, lastFiredAt: e.recordedAt });
          touchedStates.add(k);
          firings.push({ id: sequenceEventId(t.kind, t.id, e.streamId, p.event_id), trigger: t, e, p, events: match });
        } else pool.push(seen);
        recent.set(
          k,
          pool.filter((x) => x.at.getTime() >= occurredAt.getTime() - windowMs),
        );
      }
    }

    await this.writeScores(m, touchedScores, running);
    await this.writeStates(m, touchedStates, states);
    await this.writeRecent(m, recent, loadedRecent);
    const written = await this.record(m, firings);
    if (written.length) this.toDispatch.set(events[0].eventId, written);
  }

  /** The batch's notifications go to the queue only now that their rows are visible (see DeliveryOutbox.dispatchCommitted). */
  async afterCommit(events: StoredEvent[]): Promise<void> {
    const ids = events.length ? this.toDispatch.get(events[0].eventId) : undefined;
    if (!ids) return;
    this.toDispatch.delete(events[0].eventId);
    await this.outbox.dispatchCommitted(ids);
  }

  private async writeScores(m: EntityManager, refs: Set<string>, running: Map<string, RunningScore & { ruleset_id: string | null }>): Promise<void> {
    if (!refs.size) return;
    const rows = [...refs].map((ref) => {
      const r = running.get(ref)!;
      return { lead_ref: ref, ruleset_id: r.ruleset_id, terms: r.terms, as_of: r.asOf.toISOString() };
    });
    await m.query(
      `INSERT INTO trigger_lead_scores (lead_ref, ruleset_id, terms, as_of)
       SELECT lead_ref, ruleset_id, terms, as_of FROM jsonb_to_recordset($1::jsonb) AS r(lead_ref text, ruleset_id text, terms jsonb, as_of timestamptz)
       ON CONFLICT (lead_ref) DO UPDATE SET ruleset_id = excluded.ruleset_id, terms = excluded.terms, as_of = excluded.as_of`,
      [JSON.stringify(rows)],
    );
  }

  private async writeStates(m: EntityManager, keys: Set<string>, states: Map<string, MilestoneLeadState>): Promise<void> {
    if (!keys.size) return;
    const rows = [...keys].map((k) => {
      const [trigger_id, lead_ref] = k.split('\u0000');
      const s = states.get(k)!;
      return { trigger_id, lead_ref, fired_count: s.firedCount, last_fired_at: s.lastFiredAt?.toISOString() ?? null, above: s.above };
    });
    await m.query(
      `INSERT INTO trigger_lead_state (trigger_id, lead_ref, fired_count, last_fired_at, above)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(trigger_id text, lead_ref text, fired_count int, last_fired_at timestamptz, above boolean)
       ON CONFLICT (trigger_id, lead_ref) DO UPDATE SET fired_count = excluded.fired_count, last_fired_at = excluded.last_fired_at, above = excluded.above`,
      [JSON.stringify(rows)],
    );
  }

  /** The pools as they end the batch: rows no longer in them are deleted, new ones inserted. */
  private async writeRecent(m: EntityManager, pools: Map<string, SeenEvent[]>, loaded: Set<string>): Promise<void> {
    const keep = new Set<string>();
    const inserts: RecentRow[] = [];
    for (const [k, pool] of pools) {
      const [trigger_id, lead_ref] = k.split('\u0000');
      for (const e of pool) {
        const id = `${k}\u0000${e.event_id}`;
        keep.add(id);
        if (!loaded.has(id)) inserts.push({ trigger_id, lead_ref, event_id: e.event_id, event_type_key: e.event_type_key, occurred_at: e.at });
      }
    }
    const deletes = [...loaded]
      .filter((id) => !keep.has(id))
      .map((id) => {
        const [trigger_id, lead_ref, event_id] = id.split('\u0000');
        return { trigger_id, lead_ref, event_id };
      });
    if (deletes.length) {
      await m.query(
        `DELETE FROM trigger_recent_events t USING jsonb_to_recordset($1::jsonb) AS r(trigger_id text, lead_ref text, event_id uuid)
          WHERE t.trigger_id = r.trigger_id AND t.lead_ref = r.lead_ref AND t.event_id = r.event_id`,
        [JSON.stringify(deletes)],
      );
    }
    if (inserts.length) {
      await m.query(
        `INSERT INTO trigger_recent_events (trigger_id, lead_ref, event_id, event_type_key, occurred_at)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(trigger_id text, lead_ref text, event_id uuid, event_type_key text, occurred_at timestamptz)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(inserts)],
      );
    }
  }

  /**
   * The batch's firings: one multi-row insert per kind (each row once: keyed by trigger, lead and source event, so a
   * replayed batch inserts nothing), then the notifications of the new ones, all handed to the outbox at once.
   */
  private async record(m: EntityManager, firings: Firing[]): Promise<string[]> {
    if (!firings.length) return [];
    const inserted = new Set<string>();
    const byKind = (kind: ActiveTriggerRow['kind']) => firings.filter((f) => f.trigger.kind === kind);
    const base = (f: Firing) => ({
      id: f.id,
      org_id: f.e.metadata.org_id,
      unit_id: f.e.metadata.unit_id,
      lead_ref: f.e.streamId,
      lead_id: f.p.lead_id,
      fired_at: f.e.recordedAt.toISOString(),
    });
    const insert = async (statement: string, rows: Record<string, unknown>[]) => {
      if (!rows.length) return;
      for (const r of (await m.query(statement, [JSON.stringify(rows)])) as { id: string }[]) inserted.add(r.id);
    };
    await insert(
      `INSERT INTO milestone_events (id, org_id, unit_id, trigger_id, trigger_name, kind, lead_ref, lead_id, score, previous_score, event_id, event_type, fired_at)
       SELECT id, org_id, unit_id, trigger_id, trigger_name, kind, lead_ref, lead_id, score, previous_score, event_id, event_type, fired_at
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, org_id text, unit_id text, trigger_id text, trigger_name text, kind text, lead_ref text, lead_id text,
              score double precision, previous_score double precision, event_id uuid, event_type text, fired_at timestamptz)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      byKind('milestone').map((f) => ({
        ...base(f),
        trigger_id: f.trigger.id,
        trigger_name: f.trigger.name,
        kind: f.milestone!.kind,
        score: roundScore(f.milestone!.step.score),
        previous_score: roundScore(f.milestone!.step.previous),
        event_id: f.p.event_id,
        event_type: f.p.event_type,
      })),
    );
    await insert(
      `INSERT INTO sequence_events (id, org_id, unit_id, sequence_id, sequence_name, lead_ref, lead_id, event_types, event_ids, fired_at)
       SELECT id, org_id, unit_id, sequence_id, sequence_name, lead_ref, lead_id, event_types, event_ids, fired_at
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, org_id text, unit_id text, sequence_id text, sequence_name text, lead_ref text, lead_id text,
              event_types jsonb, event_ids jsonb, fired_at timestamptz)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      byKind('sequence').map((f) => ({
        ...base(f),
        sequence_id: f.trigger.id,
        sequence_name: f.trigger.name,
        event_types: f.trigger.config.event_types ?? [],
        event_ids: f.events!.map((x) => x.event_id),
      })),
    );
    await insert(
      `INSERT INTO pattern_events (id, org_id, unit_id, trigger_id, lead_ref, lead_id, event_ids, fired_at)
       SELECT id, org_id, unit_id, trigger_id, lead_ref, lead_id, event_ids, fired_at
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, org_id text, unit_id text, trigger_id text, lead_ref text, lead_id text, event_ids jsonb, fired_at timestamptz)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      byKind('pattern').map((f) => ({ ...base(f), trigger_id: f.trigger.id, event_ids: f.events!.map((x) => x.event_id) })),
    );

    const notifications: OutboxEnqueue[] = [];
    for (const f of firings) {
      if (!inserted.has(f.id)) continue;
      await notifyTriggerOwner(this.owners, m, { ...f, why: whyOf(f) });
      const n = notificationOf(f);
      if (n) notifications.push(n);
    }
    return notifications.length ? this.outbox.enqueueMany(m, notifications, { dispatch: 'after-commit' }) : [];
  }
}

/** What a new firing sends to its trigger's shared destinations ("Milestone Exited" is an owner notification only, MS-10). */
function notificationOf(f: Firing): OutboxEnqueue | null {
  const { trigger: t, e, p } = f;
  if (f.milestone?.kind === 'exited') return null;
  const destinations = destinationsOf(t);
  if (!destinations.length) return null;
  const why = whyOf(f);
  const body: Record<string, unknown> = {
    type: t.kind,
    trigger: { id: t.id, name: t.name },
    lead: { id: p.lead_id },
    event: { id: p.event_id, event_type: p.event_type, channel: p.channel, timestamp: p.occurred_at },
    why,
    fired_at: e.recordedAt.toISOString(),
    firing_id: f.id,
  };
  if (f.milestone) body.score = { value: roundScore(f.milestone.step.score), previous: roundScore(f.milestone.step.previous), threshold: t.score_threshold };
  if (f.events) body.events = f.events.map((x) => ({ id: x.event_id, event_type_key: x.event_type_key, timestamp: x.at.toISOString() }));
  if (t.email_message) body.message = t.email_message;
  return {
    org_id: e.metadata.org_id!,
    unit_id: e.metadata.unit_id!,
    trigger_type: t.kind,
    trigger_id: t.id,
    source_id: f.id,
    lead_ref: e.streamId,
    lead_id: p.lead_id,
    destinations,
    message: { title: `${t.name} — lead ${p.lead_id}`, why, body },
    at: e.recordedAt,
  };
}

/** The firing's "Why" line (NF-3): what moved the lead. */
function whyOf(f: Firing): string {
  const t = f.trigger;
  if (f.milestone) {
    const s = f.milestone.step;
    const delta = roundScore(s.score) - roundScore(s.previous);
    const moved = f.milestone.kind === 'exited' ? 'fell below' : 'reached';
    return `Score ${roundScore(s.score)} ${moved} ${t.score_threshold} after ${f.p.event_type} (${delta >= 0 ? '+' : ''}${delta})`;
  }
  if (t.kind === 'sequence') return `Completed ${(t.config.event_types ?? []).join(t.config.ordered ? ' → ' : ' + ')} within ${t.config.window_seconds} s`;
  return `Matched ${(t.config.conditions ?? []).map((c) => `${c.min_count}× ${c.event_type}`).join(' + ')} within ${t.config.window_seconds} s`;
}
