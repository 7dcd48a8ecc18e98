import { Injectable, Optional } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { nameUuid, StoredEvent } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { LeadEvent, LeadEventRecordedPayload, LeadScoresResetPayload, LeadStreamType, RECORDED_EVENT_ACTIVATION_FIELDS } from '../../leads';
import { DeliveryDestination, DeliveryOutbox, OutboxEnqueue, OwnerNotifications } from '../../notifications';
import { roundScore, ScoreTerms } from '../../scoring/domain';
import {
  advanceScore,
  matchPattern,
  MilestoneKind,
  MilestoneLeadState,
  milestoneStep,
  NEW_MILESTONE_STATE,
  poolsEvent,
  RunningScore,
  ScoreStep,
  SeenEvent,
  sequenceStep,
} from '../domain';
import { ActiveTriggerRow, triggersFor, TriggerSetupCache, UnitTriggerSetup } from './trigger-setup';
import { notifyTriggerOwner } from './trigger-owner-dm';

/**
 * What the detection remembers of one lead for one trigger, compactly (in `trigger_lead_scores.state`, keyed by
 * trigger id): firings so far (`n`), the last one in ms (`l`), above a milestone's threshold (`a`), and a sequence's
 * or pattern's unconsumed events inside its window (`p`: event id, type key, ms). Absent fields are 0 / none / false.
 */
interface StoredTriggerMemory {
  n?: number;
  l?: number;
  a?: 1;
  p?: [string, string, number][];
}

interface RunningRow {
  lead_ref: string;
  ruleset_id: string | null;
  terms: ScoreTerms;
  as_of: Date;
  state: Record<string, StoredTriggerMemory>;
}

/** One trigger's memory of the lead while a batch works on it. */
interface TriggerMemory {
  state: MilestoneLeadState;
  pool: SeenEvent[];
}

/** One lead as the batch finds and leaves it: its running score and its memory per trigger (parsed when first needed). */
interface LeadMemory {
  running: (RunningScore & { ruleset_id: string | null }) | null;
  stored: Record<string, StoredTriggerMemory>;
  working: Map<string, TriggerMemory>;
}

function memoryOf(lead: LeadMemory, triggerId: string): TriggerMemory {
  let w = lead.working.get(triggerId);
  if (!w) {
    const s = lead.stored[triggerId];
    w = s
      ? {
          state: { firedCount: s.n ?? 0, lastFiredAt: s.l !== undefined ? new Date(s.l) : null, above: !!s.a },
          pool: (s.p ?? []).map(([event_id, event_type_key, at]) => ({ event_id, event_type_key, at: new Date(at) })),
        }
      : { state: NEW_MILESTONE_STATE, pool: [] };
    lead.working.set(triggerId, w);
  }
  return w;
}

function storedOf(w: TriggerMemory): StoredTriggerMemory | null {
  const s: StoredTriggerMemory = {};
  if (w.state.firedCount) s.n = w.state.firedCount;
  if (w.state.lastFiredAt) s.l = w.state.lastFiredAt.getTime();
  if (w.state.above) s.a = 1;
  if (w.pool.length) s.p = w.pool.map((e) => [e.event_id, e.event_type_key, e.at.getTime()]);
  return Object.keys(s).length ? s : null;
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
 * The detection's whole memory of a lead is one row of `trigger_lead_scores`, read and written once per batch: the
 * lead's primary engagement score as the detection follows it (one running sum per half-life, scoring's own
 * score-terms arithmetic), which gives the score just before and just after each event — what a milestone crossing
 * is about — and, per trigger, its fire state and a sequence's or pattern's unconsumed events in the window
 * (`state`). Events that may fire triggers (kept, scope `activate`, not `skip_triggers`) are then stepped through the
 * OU's active triggers that can react to them (cached per OU until `trigger_setup_version` or `scoring_setup_version`
 * moves): a milestone only when the step crosses its threshold, a windowed trigger only for the types it lists.
 * Each firing is a row keyed by (trigger, lead, source event) — a replayed batch records nothing twice — and its
 * notifications go to the delivery outbox in the same transaction.
 *
 * A trigger only watches events recorded after it was created, so a rebuild replaying history raises nothing old.
 */
@ReadModelProjection()
@Injectable()
export class TriggerDetectionProjection implements Projection {
  readonly name = 'trigger_detection';
  readonly eventTypes = [LeadEvent.EventRecorded, LeadEvent.ScoresReset];
  readonly tables = ['trigger_lead_scores', 'milestone_events', 'sequence_events', 'pattern_events'];
  /** of a recorded event what detection, the firing rows and their notifications read: not its raw metadata and bookkeeping */
  readonly payloadFields = { [LeadEvent.EventRecorded]: [...RECORDED_EVENT_ACTIVATION_FIELDS, 'contributions'] };
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

    const leads = new Map<string, LeadMemory>();
    for (const r of await selectRows<RunningRow>(
      m,
      sql`SELECT lead_ref, ruleset_id, terms, as_of, state FROM trigger_lead_scores WHERE lead_ref = ANY(${refs}::text[])`,
    )) {
      leads.set(r.lead_ref, { running: { terms: r.terms, asOf: new Date(r.as_of), ruleset_id: r.ruleset_id }, stored: r.state ?? {}, working: new Map() });
    }
    for (const ref of refs) if (!leads.has(ref)) leads.set(ref, { running: null, stored: {}, working: new Map() });
    let levels = new Map<string, string | null>();
    if (units.some((u) => setups.get(u)?.triggers.some((t) => t.config.engagement_levels?.length))) {
      const rows = await selectRows<{ id: string; engagement_level: string | null }>(
        m,
        sql`SELECT id, engagement_level FROM leads WHERE id = ANY(${refs}::text[])`,
      );
      levels = new Map(rows.map((r) => [r.id, r.engagement_level]));
    }

    const firings: Firing[] = [];
    for (const e of relevant) {
      const setup = setups.get(e.metadata.unit_id as string)!;
      const lead = leads.get(e.streamId)!;
      if (e.eventType === LeadEvent.ScoresReset) {
        const at = new Date((e.payload as LeadScoresResetPayload).reset_at);
        lead.running = { terms: {}, asOf: at, ruleset_id: setup.primaryRulesetId };
        continue;
      }
      const p = e.payload as LeadEventRecordedPayload;
      const from = lead.running && lead.running.ruleset_id === setup.primaryRulesetId ? lead.running : null;
      const occurredAt = new Date(p.occurred_at);
      const points = p.contributions.filter((c) => c.ruleset_id === setup.primaryRulesetId);
      const { running: after, step } = advanceScore(from, { event_id: p.event_id, event_type_key: p.event_type_key, occurred_at: occurredAt, points });
      lead.running = { ...after, ruleset_id: setup.primaryRulesetId };
      if (p.scope !== 'activate' || p.skip_triggers || !setup.triggers.length) continue;
      this.step(e, p, step, occurredAt, lead, setup, levels, firings);
    }

    await this.writeLeads(m, leads, setups, relevant);
    const written = await this.record(m, firings);
    if (written.length) this.toDispatch.set(events[0].eventId, written);
  }

  /** One event through the triggers that can react to it (milestones only when the step crosses their threshold). */
  private step(
    e: StoredEvent,
    p: LeadEventRecordedPayload,
    step: ScoreStep,
    occurredAt: Date,
    lead: LeadMemory,
    setup: UnitTriggerSetup,
    levels: Map<string, string | null>,
    firings: Firing[],
  ): void {
    const { previous, score } = step.rounded!;
    for (const t of triggersFor(setup, p.event_type_key)) {
      if (e.recordedAt.getTime() < t.created_ms) continue;
      // both sides of the threshold alike: no crossing, and milestoneStep would leave the state as it is
      if (t.kind === 'milestone' && (!t.milestone_rule || previous < t.milestone_rule.threshold === score < t.milestone_rule.threshold)) continue;
      const wanted = t.config.engagement_levels;
      if (wanted?.length && !wanted.includes(levels.get(e.streamId) ?? '')) continue;
      const mem = memoryOf(lead, t.id);
      if (t.kind === 'milestone') {
        const r = milestoneStep(t.milestone_rule!, mem.state, step);
        mem.state = r.state;
        if (r.kind) firings.push({ id: milestoneEventId(t.id, e.streamId, p.event_id, r.kind), trigger: t, e, p, milestone: { kind: r.kind, step } });
        continue;
      }
      const seen: SeenEvent = { event_id: p.event_id, event_type_key: p.event_type_key, at: occurredAt };
      const windowMs = (t.config.window_seconds ?? 0) * 1000;
      const sequence = t.kind === 'sequence' ? { stepKeys: t.config.event_type_keys!, ordered: !!t.config.ordered, windowMs, fireMode: t.fire_mode } : null;
      const match = sequence
        ? sequenceStep(sequence, { firedCount: mem.state.firedCount }, mem.pool, seen)
        : matchPattern({ conditions: t.config.conditions!, windowMs }, mem.pool, seen);
      let pool = mem.pool;
      if (match) {
        const used = new Set(match.map((x) => x.event_id));
        pool = pool.filter((x) => !used.has(x.event_id));
        mem.state = { ...mem.state, firedCount: mem.state.firedCount + 1, lastFiredAt: e.recordedAt };
        firings.push({ id: sequenceEventId(t.kind, t.id, e.streamId, p.event_id), trigger: t, e, p, events: match });
      } else if (!sequence || poolsEvent(sequence, seen.event_type_key)) pool = [...pool, seen];
      mem.pool = pool.filter((x) => x.at.getTime() >= occurredAt.getTime() - windowMs);
    }
  }

  /**
   * Every lead of the batch, one row each: its running score and its memory per trigger (what the batch worked on
   * replaced, empty memories and those of triggers no longer in the OU dropped).
   */
  private async writeLeads(m: EntityManager, leads: Map<string, LeadMemory>, setups: Map<string, UnitTriggerSetup>, relevant: StoredEvent[]): Promise<void> {
    const unitOf = new Map(relevant.map((e) => [e.streamId, e.metadata.unit_id as string]));
    const rows: { lead_ref: string; ruleset_id: string | null; terms: ScoreTerms; as_of: string; state: Record<string, StoredTriggerMemory> }[] = [];
    for (const [ref, lead] of leads) {
      if (!lead.running) continue;
      const known = setups.get(unitOf.get(ref)!)?.knownIds;
      const state: Record<string, StoredTriggerMemory> = {};
      for (const [id, s] of Object.entries(lead.stored)) if (known?.has(id)) state[id] = s;
      for (const [id, w] of lead.working) {
        const s = storedOf(w);
        if (s) state[id] = s;
        else delete state[id];
      }
      rows.push({ lead_ref: ref, ruleset_id: lead.running.ruleset_id, terms: lead.running.terms, as_of: lead.running.asOf.toISOString(), state });
    }
    if (!rows.length) return;
    await m.query(
      `INSERT INTO trigger_lead_scores (lead_ref, ruleset_id, terms, as_of, state)
       SELECT lead_ref, ruleset_id, terms, as_of, state FROM jsonb_to_recordset($1::jsonb) AS r(lead_ref text, ruleset_id text, terms jsonb, as_of timestamptz, state jsonb)
       ON CONFLICT (lead_ref) DO UPDATE SET ruleset_id = excluded.ruleset_id, terms = excluded.terms, as_of = excluded.as_of, state = excluded.state`,
      [JSON.stringify(rows)],
    );
  }

  /** The batch's notifications go to the queue only now that their rows are visible (see DeliveryOutbox.dispatchCommitted). */
  async afterCommit(events: StoredEvent[]): Promise<void> {
    const ids = events.length ? this.toDispatch.get(events[0].eventId) : undefined;
    if (!ids) return;
    this.toDispatch.delete(events[0].eventId);
    await this.outbox.dispatchCommitted(ids);
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
