import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { DataSource, EntityManager } from 'typeorm';
import { selectRows, sql } from '../../../platform/database';
import { StoredEvent } from '../../../platform/event-store';
import { inRebuild, Projection, ProjectionSourcesBehind, ReadModelProjection } from '../../../platform/projections';
import { QueueName } from '../../../platform/queues';
import { AccountEvent } from '../../accounts';
import { LeadEvent } from '../../leads';
import {
  activeSegmentsOf,
  RECHECK_PENDING,
  RecheckPendingJobData,
  reevaluateMembers,
  reevaluateTouched,
  SegmentDefinition,
  segmentsWithPending,
} from './membership.sql';

/**
 * The async projections whose read models the rules read: `lead_events` and scores/engagement levels, profile scores
 * and levels, the lead's account link and the accounts' metadata and levels.
 */
export const RULE_SOURCES = ['lead-events', 'profile-scores', 'account-grouping', 'accounts'];
const WAIT_MS = 1000;
const POLL_MS = 25;
const CACHED_UNITS_MAX = 10_000;

/**
 * SEG-5 incrementally: per batch, the leads its events touched (lead streams, and the leads of touched accounts) are
 * re-evaluated against their OU's active segments, set-based (`lead_ref = ANY(…)`, two statements per segment). The
 * OU's active segments come from a cache keyed by `segment_setup_version`, so a batch of OUs without active segments
 * costs one one-row read and nothing else, and while no OU has an active segment the runner reads no event at all
 * (`wantsEvents`). Envelopes only (the stream id is all it needs). The rules read columns
 * other async projections keep, so a batch with work first waits until those passed its last event: after a second
 * it throws `ProjectionSourcesBehind` and the runner retries the batch from its checkpoint, so no batch is ever
 * evaluated on stale sources (or skipped). A segment a whole-segment pass holds (its recompute, the hourly refresh)
 * is not waited for: its leads go to `segment_pending_rechecks`, which the pass re-evaluates before it commits and a
 * `segments.recheck-pending` job queued after the batch commits takes over after it — one OU's big segment being
 * rebuilt no longer holds every other OU's membership back. Idempotent (derived from current state);
 * a rebuild empties `segment_members` and re-derives every active segment whole afterwards.
 */
@ReadModelProjection()
@Injectable()
export class SegmentMembershipProjection implements Projection {
  readonly name = 'segment-membership';
  readonly tables = ['segment_members', 'segment_pending_rechecks'];
  readonly readsPayload = false;
  readonly eventTypes = [
    LeadEvent.Created,
    LeadEvent.MetadataChanged,
    LeadEvent.EventRecorded,
    LeadEvent.EventsAdopted,
    LeadEvent.EventsDeleted,
    LeadEvent.MergedInto,
    LeadEvent.Rescored,
    LeadEvent.ScoresReset,
    AccountEvent.Created,
    AccountEvent.MetadataChanged,
    AccountEvent.MergedInto,
    AccountEvent.Deleted,
  ];
  private readonly log = new Logger('SegmentMembership');
  private readonly cache = new Map<string, { version: string; segments: SegmentDefinition[] }>();
  private anyActive?: { version: string; any: boolean };
  private readonly accountEvents = new Set<string>(Object.values(AccountEvent));
  /** segments whose leads a batch deferred, re-checked once that batch has committed (a retried batch is a new array) */
  private readonly deferred = new WeakMap<StoredEvent[], Set<string>>();

  constructor(
    private readonly ds: DataSource,
    @InjectQueue(QueueName.Segments) private readonly queue: Queue,
  ) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const units = new Map<string, { leads: Set<string>; accounts: Set<string> }>();
    for (const e of events) {
      const unitId = e.metadata.unit_id;
      if (!unitId) continue;
      const u = units.get(unitId) ?? { leads: new Set<string>(), accounts: new Set<string>() };
      (this.accountEvents.has(e.eventType) ? u.accounts : u.leads).add(e.streamId);
      units.set(unitId, u);
    }
    if (!units.size) return;
    const segments = await this.activeSegments(m, [...units.keys()]);
    if (!segments.length) return;
    // a rebuild derives every segment whole in afterRebuild, from read models that may be mid-rebuild themselves
    if (await inRebuild(m)) return;
    await this.awaitSources(events[events.length - 1]);
    const pending = await segmentsWithPending(m, segments);
    for (const [unitId, u] of units) {
      const ofUnit = segments.filter((s) => s.unit_id === unitId);
      if (!ofUnit.length) continue;
      const refs = new Set(u.leads);
      if (u.accounts.size) {
        const linked = await selectRows<{ id: string }>(
          m,
          sql`SELECT id FROM leads WHERE unit_id = ${unitId} AND account_ref = ANY(${[...u.accounts]}::text[])`,
        );
        for (const r of linked) refs.add(r.id);
      }
      if (!refs.size) continue;
      let left = 0;
      let joined = 0;
      for (const seg of ofUnit) {
        const n = await reevaluateTouched(m, seg, [...refs], pending.has(seg.id));
        if (n === 'deferred') {
          this.deferred.set(events, (this.deferred.get(events) ?? new Set<string>()).add(seg.id));
          continue;
        }
        left += n.left;
        joined += n.joined;
      }
      if (left || joined) this.log.debug({ msg: 'segment members re-evaluated', unit_id: unitId, leads: refs.size, segments: ofUnit.length, joined, left });
    }
  }

  /** The batch's deferred leads are visible now: a job per segment re-checks them once the pass holding it is over. */
  async afterCommit(events: StoredEvent[]): Promise<void> {
    const ids = this.deferred.get(events);
    if (!ids) return;
    this.deferred.delete(events);
    this.log.debug({ msg: 'segment members deferred while a whole-segment pass holds the segment', segments: [...ids] });
    // a lost job leaves the leads pending until the segment's next pass or re-evaluation (the hourly refresh at the latest)
    await this.queue.addBulk([...ids].map((segment_id) => ({ name: RECHECK_PENDING, data: { segment_id } satisfies RecheckPendingJobData })));
  }

  /** Rebuilds: every active segment re-derived whole from the read models as they now stand. */
  async afterRebuild(m: EntityManager): Promise<void> {
    const units = await selectRows<{ unit_id: string }>(m, sql`SELECT DISTINCT unit_id FROM segments WHERE active`);
    for (const seg of await activeSegmentsOf(
      m,
      units.map((u) => u.unit_id),
    ))
      await reevaluateMembers(m, seg);
  }

  /**
   * No active segment anywhere: the runner moves past the events without reading them (a segment created later is
   * derived whole by its recompute job; the hourly refresh covers an event that committed during that handover).
   */
  async wantsEvents(m: EntityManager): Promise<boolean> {
    const [{ version }] = await m.query(`SELECT version::text AS version FROM segment_setup_version`);
    if (this.anyActive && this.anyActive.version === version) return this.anyActive.any;
    const [{ any }] = await m.query(`SELECT EXISTS (SELECT 1 FROM segments WHERE active) AS any`);
    this.anyActive = { version, any };
    return any;
  }

  /** The active segments of these OUs, as of the version read first (one one-row read when nothing changed). */
  private async activeSegments(m: EntityManager, unitIds: string[]): Promise<SegmentDefinition[]> {
    const [{ version }] = await m.query(`SELECT version::text AS version FROM segment_setup_version`);
    const missing = unitIds.filter((u) => this.cache.get(u)?.version !== version);
    if (missing.length) {
      const read = await activeSegmentsOf(m, missing);
      if (this.cache.size + missing.length > CACHED_UNITS_MAX) this.cache.clear();
      for (const u of missing) this.cache.set(u, { version, segments: read.filter((s) => s.unit_id === u) });
    }
    return unitIds.flatMap((u) => this.cache.get(u)?.segments ?? []);
  }

  /** Waits until the projections the rules read have applied `last` (bounded). */
  private async awaitSources(last: StoredEvent): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const behind: { name: string }[] = await this.ds.query(
        `SELECT name FROM projection_checkpoints
          WHERE name = ANY($1::text[]) AND (last_transaction_id, last_position) < ($2::xid8, $3::bigint)`,
        [RULE_SOURCES, last.transactionId, last.globalPosition],
      );
      if (!behind.length) return;
      // never evaluate on stale sources: the runner retries this batch from its checkpoint
      if (Date.now() >= deadline) throw new ProjectionSourcesBehind(behind.map((b) => b.name));
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
