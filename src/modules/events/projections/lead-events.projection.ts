import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock';
import { lockRowsInIdOrder } from '../../../platform/database';
import { StoredEvent } from '../../../platform/event-store';
import { MetricsService } from '../../../platform/metrics';
import { inRebuild, Projection, ReadModelProjection } from '../../../platform/projections';
import {
  LeadEvent,
  LeadEventRecordedPayload,
  LeadEventRegroupedPayload,
  LeadEventsAdoptedPayload,
  LeadEventsDeletedPayload,
  LeadRescoredPayload,
  LeadScoresResetPayload,
} from '../../leads';
import {
  addToLeadScores,
  applyRescoredContributions,
  canonicalEventType,
  DECAY_EVENT_TYPE,
  DECAY_RULE_ID,
  dropContributions,
  insertAdoptedContributions,
  NewContribution,
  ProfilePlan,
  ProfileScoring,
  recomputeLeadScores,
  recomputeLeadScoresDeferringPrimary,
  type RescoredContribution,
  roundScore,
} from '../../scoring';
import { LevelClassifier, levelChangedMessage } from '../../levels';
import { StreamBus, StreamMessage } from '../../stream';
import { deleteLeadEvents, insertTimelineEntry, leadIdOf, moveLeadEvents, setSuppression } from './lead-event-rows.sql';
import { uncountEventType } from './event-type-catalog.sql';
import { LatestActivity, refreshActivity, updateLeadRows } from './lead-activity.sql';
import { recordEvents } from './recorded-events.writer';
import {
  AddedTouches,
  LEAD_TOUCHES_COLUMNS,
  LeadTouchesRow,
  moveLeadTouches,
  moveTouchCellEvents,
  rebuildTouchRollups,
  touchCellEventsOf,
} from './event-touches.sql';

const REBUILD_RECOMPUTE_CHUNK = 5000;

/** What one batch changed, gathered while its events apply and acted on once at the end. */
export interface BatchEffects {
  /** leads whose scores need recomputing from their stored contributions (deletions, merges, rescores, resets) */
  touched: Set<string>;
  /** contributions of newly recorded events: their leads' scores move forward by these alone */
  added: NewContribution[];
  /** leads whose last activity (and touches) need recomputing */
  activity: Set<string>;
  /** engagement touches the batch inserted, per lead (`event-touches.sql.ts`); not kept while rebuilding */
  touches: AddedTouches | undefined;
  /** moves a lead's last activity forward (merged per lead, written once at the end of the batch) */
  advance(latest: LatestActivity): void;
  push(unit: string, msg: StreamMessage): void;
}

/**
 * Read models of everything that happened to leads: `lead_events` (every stored event, suppressed ones with
 * their reason), `event_scores` (each event's undecayed contribution per ruleset, written through the scoring
 * module), `lead_scores` (per lead and ruleset, recomputed for the leads a batch touched), event type counts and
 * metadata keys, channels, and the lead's activity columns and engagement level. After commit it pushes `event_ingested`,
 * `score_update` and `level_changed` to the OU's stream and observes the ingest-to-score latency.
 */
@ReadModelProjection()
@Injectable()
export class LeadEventsProjection implements Projection {
  readonly name = 'lead-events';
  readonly tables = ['lead_events', 'event_scores', 'lead_scores', 'event_type_stats', 'event_type_properties', 'unit_channels', 'event_touch_hours'];
  /** DECAY events and their contributions are written by the decay job (its ledger is `decay_applications`), not stored on streams. */
  readonly keptOnRebuild = {
    lead_events: `source = 'system' AND event_type_key = '${canonicalEventType(DECAY_EVENT_TYPE)}'`,
    event_scores: `rule_id = '${DECAY_RULE_ID}'`,
  };
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
  /** profile level changes to publish once a batch committed */
  private readonly pendingProfile = new WeakMap<StoredEvent[], (() => Promise<void>)[]>();

  constructor(
    private readonly clock: Clock,
    private readonly bus: StreamBus,
    private readonly metrics: MetricsService,
    private readonly levels: LevelClassifier,
    private readonly profiles: ProfileScoring,
  ) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const messages = new Map<string, StreamMessage[]>();
    const latest = new Map<string, LatestActivity>();
    // a rebuild refills the touch rollups from the replayed events at its end (`afterRebuild`)
    const rebuilding = await inRebuild(m);
    const effects: BatchEffects = {
      touched: new Set(),
      added: [],
      activity: new Set(),
      touches: rebuilding ? undefined : new Map(),
      advance: (a) => {
        const prev = latest.get(a.ref);
        if (!prev) latest.set(a.ref, { ...a });
        else {
          prev.n += a.n;
          if (a.last_at >= prev.last_at) Object.assign(prev, { last_at: a.last_at, last_type: a.last_type });
        }
      },
      push: (unit, msg) => {
        const list = messages.get(unit);
        if (list) list.push(msg);
        else messages.set(unit, [msg]);
      },
    };
    let run: StoredEvent[] = [];
    let rescores: StoredEvent[] = [];
    const flush = async () => {
      if (run.length) await recordEvents(m, run, effects);
      run = [];
      if (rescores.length) await this.rescored(rescores, m, effects);
      rescores = [];
    };
    // consecutive recorded events, and consecutive rescores (score-now), are written in bulk; the rarer kinds apply
    // in order between runs
    for (const e of events) {
      if (e.eventType === LeadEvent.EventRecorded || e.eventType === LeadEvent.SuppressedEventRecorded) {
        if (rescores.length) await flush();
        run.push(e);
        continue;
      }
      if (e.eventType === LeadEvent.Rescored) {
        if (run.length) await flush();
        rescores.push(e);
        continue;
      }
      await flush();
      await this.applyOne(e, m, effects);
    }
    await flush();
    const now = this.clock.now();
    const full = effects.touched.size ? await recomputeLeadScoresDeferringPrimary(m, [...effects.touched], now) : { changes: [], primary: new Map() };
    const added = await addToLeadScores(
      m,
      effects.added.filter((c) => !effects.touched.has(c.lead_ref)),
      now,
    );
    const changes = [...full.changes, ...added.changes];
    const primary = new Map([...full.primary, ...added.primary]);
    // every lead of the batch, for its level: a new lead's first score may be the 0 it was created with
    const leadsOfBatch = new Set([...primary.keys(), ...latest.keys(), ...effects.activity, ...effects.touched]);
    // one write per lead row: activity (unless recomputed below from its events) and primary score together; the
    // rows this batch writes (here and for levels) are locked in id order first, as the other writers of `leads` do
    // PRF-8 on ingest: leads whose mapped profile properties this batch's events changed, and leads they created, are
    // re-evaluated here, their metadata read under the row locks and the moved profile score written with the same row
    // update (the profile-scores projection follows every other change of attributes)
    const mapped = mappedProfileLeads(events);
    // the lock also reads the rows' latest touches, for the touch rollups
    const locked = await lockRowsInIdOrder<LeadTouchesRow>(
      m,
      'leads',
      mapped.size ? new Set([...leadsOfBatch, ...[...mapped.values()].flatMap((u) => u.refs)]) : leadsOfBatch,
      effects.touches ? LEAD_TOUCHES_COLUMNS : [],
    );
    const plans: ProfilePlan[] = [];
    for (const [unitId, { orgId, refs, created }] of mapped) {
      const plan = await this.profiles.plan(m, orgId, unitId, refs, { created });
      if (plan) plans.push(plan);
    }
    for (const ref of effects.activity) latest.delete(ref);
    const touches = effects.touches ? await moveLeadTouches(m, locked, effects.touches, effects.activity) : new Map<string, Record<string, number>>();
    await updateLeadRows(m, [...latest.values()], primary, new Map(plans.flatMap((p) => p.moved.map((r) => [r.id, r.score] as const))), touches);
    const publishProfile: (() => Promise<void>)[] = [];
    for (const plan of plans) publishProfile.push((await this.profiles.write(m, plan, { scoresWritten: true })).afterCommit);
    if (publishProfile.length) this.pendingProfile.set(events, publishProfile);
    if (effects.activity.size) await refreshActivity(m, [...effects.activity]);
    // levels follow the primary score the moment it moves: one statement per batch (rows already right are not
    // written), none for OUs without levels
    const units = [...new Set(events.map((e) => e.metadata.unit_id as string))];
    for (const c of await this.levels.afterScoresMoved(m, [...leadsOfBatch], 'score', units)) effects.push(c.unit_id, levelChangedMessage(c));
    for (const c of changes) {
      effects.push(c.unit_id, {
        event: 'score_update',
        data: { lead_id: c.lead_id, ruleset_id: c.ruleset_id, delta: roundScore(c.score) - roundScore(c.previous), score: roundScore(c.score) },
      });
    }
    if (messages.size) this.pending.set(events, messages);
  }

  /** The replay moved the scores of leads forward by their streams' events alone: recompute those with decay rows. */
  async afterRebuild(m: EntityManager): Promise<void> {
    const refs: string[] = (
      await m.query(`SELECT DISTINCT s.lead_ref FROM event_scores s JOIN leads l ON l.id = s.lead_ref WHERE s.rule_id = $1 ORDER BY 1`, [DECAY_RULE_ID])
    ).map((r: { lead_ref: string }) => r.lead_ref);
    for (let i = 0; i < refs.length; i += REBUILD_RECOMPUTE_CHUNK) await recomputeLeadScores(m, refs.slice(i, i + REBUILD_RECOMPUTE_CHUNK), this.clock.now());
    await rebuildTouchRollups(m);
  }

  async afterCommit(events: StoredEvent[]): Promise<void> {
    const now = Date.now();
    for (const e of events) {
      if (e.eventType === LeadEvent.EventRecorded) {
        this.metrics.ingestToScoreLatency.observe(Math.max(0, now - Date.parse((e.payload as LeadEventRecordedPayload).received_at)) / 1000);
      }
    }
    for (const publish of this.pendingProfile.get(events) ?? []) await publish();
    this.pendingProfile.delete(events);
    const messages = this.pending.get(events);
    if (!messages) return;
    this.pending.delete(events);
    for (const [unit, list] of messages) await this.bus.publish(unit, list);
  }

  private async applyOne(e: StoredEvent, m: EntityManager, effects: BatchEffects): Promise<void> {
    switch (e.eventType) {
      case LeadEvent.EventRegrouped:
        return this.regrouped(e, m, effects);
      case LeadEvent.EventsDeleted:
        return this.deleted(e, m, effects);
      case LeadEvent.ScoresReset:
        return this.scoresReset(e, m, effects);
      case LeadEvent.EventsAdopted:
        return this.adopted(e, m, effects);
    }
  }

  private async regrouped(e: StoredEvent, m: EntityManager, effects: BatchEffects): Promise<void> {
    const p = e.payload as LeadEventRegroupedPayload;
    const before = effects.touches ? await touchCellEventsOf(m, [p.event_id]) : [];
    await setSuppression(m, p.event_id, p.suppression);
    if (effects.touches) await moveTouchCellEvents(m, before, await touchCellEventsOf(m, [p.event_id]));
    await dropContributions(m, [p.event_id]);
    effects.touched.add(e.streamId);
    effects.activity.add(e.streamId);
  }

  private async deleted(e: StoredEvent, m: EntityManager, effects: BatchEffects): Promise<void> {
    const p = e.payload as LeadEventsDeletedPayload;
    const before = effects.touches ? await touchCellEventsOf(m, p.event_ids) : [];
    const gone = await deleteLeadEvents(m, p.event_ids);
    if (effects.touches) await moveTouchCellEvents(m, before, []);
    await dropContributions(m, p.event_ids);
    for (const g of gone) await uncountEventType(m, g.unit_id, g.event_type_key, g.n);
    effects.touched.add(e.streamId);
    effects.activity.add(e.streamId);
  }

  /** score-now's changes of many leads: one delete and one upsert of contributions for the whole run. */
  private async rescored(events: StoredEvent[], m: EntityManager, effects: BatchEffects): Promise<void> {
    const rescores: RescoredContribution[] = [];
    for (const e of events) {
      const p = e.payload as LeadRescoredPayload;
      const lead = streamLead(e);
      for (const c of p.changes) rescores.push({ ...lead, ruleset_id: p.ruleset_id, event_id: c.event_id, contribution: c.contribution });
      effects.touched.add(e.streamId);
    }
    await applyRescoredContributions(m, rescores);
  }

  /** `leads.score_reset_at` moved inline with the append; the scores and the timeline follow here. */
  private async scoresReset(e: StoredEvent, m: EntityManager, effects: BatchEffects): Promise<void> {
    effects.touched.add(e.streamId);
    const p = e.payload as LeadScoresResetPayload;
    const leadId = p.lead_id ?? (await leadIdOf(m, e.streamId));
    await insertTimelineEntry(m, e, leadId, 'score_reset', p.reset_at, { reset_at: p.reset_at, previous_scores: p.previous_scores });
    effects.push(e.metadata.unit_id as string, {
      event: 'score_reset',
      data: { lead_id: leadId, lead_ref: e.streamId, reset_at: p.reset_at, previous_scores: p.previous_scores },
    });
  }

  /**
   * A merge: the moved events now belong to the target (keeping `original_lead_id`), their contributions are the
   * rescored ones; the target's timeline gets a `lead_merged` entry. Both sides' scores and activity are recomputed.
   */
  private async adopted(e: StoredEvent, m: EntityManager, effects: BatchEffects): Promise<void> {
    const p = e.payload as LeadEventsAdoptedPayload;
    const targetLeadId = await leadIdOf(m, e.streamId);
    const ids = p.events.map((x) => x.event_id);
    if (ids.length) {
      await moveLeadEvents(
        m,
        p.events.map((x) => ({ event_id: x.event_id, original_lead_id: x.original_lead_id, reset_excluded: x.reset_excluded })),
        e.streamId,
        targetLeadId,
      );
      await dropContributions(m, ids);
      const contributions = p.events.flatMap((x) =>
        x.contributions.map((c) => ({
          event_id: x.event_id,
          ruleset_id: c.ruleset_id,
          rule_id: c.rule_id,
          base_points: c.base_points,
          multiplier: c.multiplier,
          half_life_days: c.half_life_days,
          occurred_at: x.occurred_at,
        })),
      );
      await insertAdoptedContributions(m, streamLead(e), contributions);
    }
    await insertTimelineEntry(m, e, targetLeadId, 'lead_merged', e.occurredAt.toISOString(), {
      source_lead_ids: p.source_lead_ids,
      moved_events: p.events.length,
      truncated_events: p.truncated_events,
      merged_by: p.merged_by,
    });
    for (const ref of [e.streamId, ...p.source_refs]) {
      effects.touched.add(ref);
      effects.activity.add(ref);
    }
  }
}

/** The lead a Lead stream event belongs to, with its tenant. */
function streamLead(e: StoredEvent): { org_id: string; unit_id: string; lead_ref: string } {
  return { org_id: e.metadata.org_id as string, unit_id: e.metadata.unit_id as string, lead_ref: e.streamId };
}

/**
 * The leads, per OU, whose profile this batch's recorded events may have changed: mapped properties set (`profile_set`,
 * PRF-2..4), or the lead created by its first event (`created_lead`: its creation is not evaluated elsewhere).
 */
function mappedProfileLeads(events: StoredEvent[]): Map<string, { orgId: string; refs: string[]; created: Set<string> }> {
  const byUnit = new Map<string, { orgId: string; refs: string[]; created: Set<string> }>();
  const seen = new Set<string>();
  for (const e of events) {
    if (e.eventType !== LeadEvent.EventRecorded || seen.has(e.streamId)) continue;
    const p = e.payload as LeadEventRecordedPayload;
    if (!p.profile_set && !p.created_lead) continue;
    const unitId = String(e.metadata.unit_id ?? '');
    const orgId = String(e.metadata.org_id ?? '');
    if (!unitId || !orgId) continue;
    seen.add(e.streamId);
    let entry = byUnit.get(unitId);
    if (!entry) byUnit.set(unitId, (entry = { orgId, refs: [], created: new Set() }));
    entry.refs.push(e.streamId);
    if (p.created_lead) entry.created.add(e.streamId);
  }
  return byUnit;
}
