import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../platform/clock/clock';
import { AggregateRepository } from '../../../platform/event-store/aggregate.repository';
import { EventIdConflictError } from '../../../platform/event-store/event-store.types';
import { AppError } from '../../../platform/http/app-error';
import { RequestContext } from '../../../platform/tenancy/request-context';
import { tenantKey } from '../../../platform/tenancy/tenant-scope';
import { rulesetScore, roundScore, ScoringSetupService } from '../../scoring';
import { Alias, AliasKind, LeadEvent, LeadEventsAdoptedPayload } from '../domain/lead-events';
import { adoptedEvent, contributionsByRuleset, HistoryEvent, leadHistory, planTruncation, TruncatePolicy } from '../domain/lead-history';
import { Lead } from '../domain/lead.aggregate';
import { MergeLeadsDto, MergeResultDto } from './lead-merge.dto';
import { nameUuid } from '../../../platform/event-store/name-uuid';

interface LeadRow {
  id: string;
  lead_id: string;
  status: string;
  score_reset_at: Date | null;
}

const scoresOf = (events: Iterable<Pick<HistoryEvent, 'occurred_at' | 'contributions'>>, rulesetIds: string[], now: Date, allowNegative: boolean, resetAt: Date | null) => {
  const by = contributionsByRuleset(events);
  return Object.fromEntries(rulesetIds.map((id) => [id, roundScore(rulesetScore(by.get(id) ?? [], now, { allowNegative, resetAt }))]));
};

/**
 * MRG-1..7: merges source leads of the active OU into a target. Everything is decided from the event store
 * (each lead's stream folded by `leadHistory`), so events the async read models have not applied yet move too.
 * The sources' truncated events are deleted and each source is marked merged; then the target attaches the
 * sources' aliases and adopts their events, rescored through the scoring core. The append is one transaction
 * with optimistic concurrency on every stream; ids derived from the request make a retry find the merge done.
 */
@Injectable()
export class LeadMergeService {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly setups: ScoringSetupService,
    private readonly clock: Clock,
  ) {}

  async merge(body: MergeLeadsDto): Promise<MergeResultDto> {
    const { org_id, unit_id } = tenantKey();
    const sourceIds = [...new Set(body.sourceLeadIds)];
    if (sourceIds.includes(body.targetLeadId)) {
      throw AppError.badRequest('target_in_sources', 'the target lead cannot also be a source', [{ field: 'sourceLeadIds', reason: 'must not contain targetLeadId' }]);
    }
    const truncate: TruncatePolicy = body.truncate?.policy === 'max_events' ? { policy: 'max_events', max_events: body.truncate.max_events } : { policy: 'none' };
    const rows: LeadRow[] = await this.ds.query(`SELECT id, lead_id, status, score_reset_at FROM leads WHERE unit_id = $1 AND org_id = $2 AND lead_id = ANY($3::text[])`, [
      unit_id,
      org_id,
      [body.targetLeadId, ...sourceIds],
    ]);
    const byId = new Map(rows.map((r) => [r.lead_id, r]));
    const target = byId.get(body.targetLeadId);
    // MRG-3 with G-6: a lead of another OU is simply not found here, so a cross-OU merge is refused without revealing it
    if (!target || target.status !== 'active') {
      throw new AppError(404, 'lead_not_found', `target lead ${body.targetLeadId} not found in the active OU`, [{ field: 'targetLeadId', lead_id: body.targetLeadId, reason: 'not found' }]);
    }
    const missing = sourceIds.filter((id) => !byId.has(id));
    if (missing.length) {
      throw new AppError(404, 'lead_not_found', `source lead(s) ${missing.join(', ')} not found in the active OU`, missing.map((id) => ({ field: 'sourceLeadIds', lead_id: id, reason: 'not found' })));
    }
    const sources = sourceIds.map((id) => byId.get(id)!);
    const mergeId = nameUuid(
      `kenbun:merge:${unit_id}:${target.id}:${sources.map((s) => s.id).sort().join(',')}:${truncate.policy}:${truncate.max_events ?? ''}`,
    );
    const result = await this.decide(org_id, unit_id, target, sources, truncate, mergeId);
    RequestContext.describe({
      verb: 'merged',
      entityType: 'lead',
      entityId: target.lead_id,
      summary: `merged ${result.mergedSources.join(', ')} into lead ${target.lead_id} (${result.movedEvents} events moved, ${result.truncatedEvents} truncated)`,
    });
    return result;
  }

  private async decide(org: string, unit: string, target: LeadRow, sources: LeadRow[], truncate: TruncatePolicy, mergeId: string): Promise<MergeResultDto> {
    const metadata = RequestContext.eventMetadata();
    return this.repo.transaction(
      async (m) => {
        // merges touching the same leads run one after the other (sorted: no deadlock); a concurrent identical
        // request then finds this one recorded instead of racing it
        for (const ref of [target.id, ...sources.map((s) => s.id)].sort()) {
          await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`kenbun:lead-merge:${ref}`]);
        }
        const leads = await this.repo.loadMany(Lead, [target.id, ...sources.map((s) => s.id)], m);
        const targetLead = leads.get(target.id)!;
        const sourceLeads = sources.map((s) => leads.get(s.id)!);
        // a retry of this very merge: answer what it recorded
        if (sourceLeads.every((l) => l.mergedBy === mergeId)) return this.recorded(mergeId, target, m);
        if (targetLead.mergedInto) throw new AppError(404, 'lead_not_found', `target lead ${target.lead_id} not found in the active OU`);
        const merged = sources.filter((s, i) => sourceLeads[i].mergedInto !== null);
        if (merged.length) {
          throw AppError.badRequest('source_already_merged', `lead(s) ${merged.map((s) => s.lead_id).join(', ')} were already merged`, merged.map((s) => ({ field: 'sourceLeadIds', lead_id: s.lead_id, reason: 'already merged' })));
        }
        return this.apply(m, org, unit, target, sources, targetLead, sourceLeads, truncate, mergeId, metadata);
      },
      { retryAlso: (err) => err instanceof EventIdConflictError },
    );
  }

  private async apply(
    m: EntityManager,
    org: string,
    unit: string,
    target: LeadRow,
    sources: LeadRow[],
    targetLead: Lead,
    sourceLeads: Lead[],
    truncate: TruncatePolicy,
    mergeId: string,
    metadata: ReturnType<typeof RequestContext.eventMetadata>,
  ): Promise<MergeResultDto> {
    const now = this.clock.now();
    const refs = [target.id, ...sources.map((s) => s.id)];
    const stored: { stream_id: string; event_type: string; payload: unknown }[] = await m.query(
      `SELECT stream_id, event_type, payload FROM event_store_events
        WHERE stream_id = ANY($1::text[]) AND event_type = ANY($2::text[]) ORDER BY stream_id, stream_version`,
      [refs, [LeadEvent.EventRecorded, LeadEvent.EventsAdopted, LeadEvent.EventRegrouped, LeadEvent.Rescored, LeadEvent.EventsDeleted, LeadEvent.MergedInto]],
    );
    const streams = new Map<string, { type: string; payload: unknown }[]>(refs.map((r) => [r, []]));
    for (const s of stored) streams.get(s.stream_id)!.push({ type: s.event_type, payload: s.payload });
    const targetHistory = leadHistory(streams.get(target.id)!);
    const setup = await this.setups.load(org, unit, m);
    const candidates = sources.flatMap((s) => [...leadHistory(streams.get(s.id)!).values()].map((event) => ({ event, source: s, occurred_at: event.occurred_at, event_id: event.event_id })));
    const plan = planTruncation(candidates, truncate);
    const moved = plan.moved.map((c) => adoptedEvent(c.event, c.source.id, c.source.lead_id, c.source.score_reset_at ? new Date(c.source.score_reset_at) : null, target.lead_id, setup));
    // oldest first, as a timeline reads
    moved.reverse();

    const aliases: { kind: AliasKind; value: string }[] = await m.query(
      `SELECT kind, value FROM lead_aliases WHERE lead_ref = ANY($1::text[]) ORDER BY created_at, kind, value`,
      [sources.map((s) => s.id)],
    );
    const newAliases: Alias[] = aliases.filter((a) => !targetLead.hasAlias(a));

    const rulesetIds = setup.rulesets.map((r) => r.id);
    const resetAt = target.score_reset_at ? new Date(target.score_reset_at) : null;
    const previous = scoresOf(targetHistory.values(), rulesetIds, now, setup.allowNegative, resetAt);
    const after = scoresOf([...targetHistory.values(), ...moved], rulesetIds, now, setup.allowNegative, resetAt);

    for (let i = 0; i < sources.length; i++) {
      const dropped = plan.dropped.filter((c) => c.source.id === sources[i].id).map((c) => c.event_id);
      sourceLeads[i].deleteEvents(dropped, 'merge_truncated', now);
      sourceLeads[i].mergeInto(
        { merge_id: mergeId, target_ref: target.id, target_lead_id: target.lead_id, moved_events: moved.filter((e) => e.from_lead_ref === sources[i].id).length },
        nameUuid(`${mergeId}:${sources[i].id}`),
        now,
      );
    }
    const payload: LeadEventsAdoptedPayload = {
      merge_id: mergeId,
      source_refs: sources.map((s) => s.id),
      source_lead_ids: sources.map((s) => s.lead_id),
      events: moved,
      truncated_events: plan.dropped.length,
      truncate,
      aliases: newAliases.map((a) => ({ kind: a.kind, value: a.value })),
      merged_by: (metadata.actor as string | null) ?? null,
      previous_scores: previous,
      scores: after,
    };
    targetLead.adopt(payload, newAliases, now);
    // sources first, in their own append: their aliases are freed before the target attaches them
    await this.repo.saveMany(sourceLeads, metadata, m);
    await this.repo.saveMany([targetLead], metadata, m);
    return this.outcome(payload, target, targetHistory.size + moved.length);
  }

  private outcome(p: LeadEventsAdoptedPayload, target: LeadRow, eventCount: number): MergeResultDto {
    return {
      target: { lead_id: target.lead_id, event_count: eventCount, aliases_added: p.aliases.length },
      mergedSources: p.source_lead_ids,
      movedEvents: p.events.length,
      truncatedEvents: p.truncated_events,
      rescore: {
        rescored_events: p.events.length,
        reset_excluded_events: p.events.filter((e) => e.reset_excluded).length,
        previous_scores: p.previous_scores,
        scores: p.scores,
      },
      merge_id: p.merge_id,
    };
  }

  /** The outcome of a merge already recorded (idempotent retry): read back from its adoption event. */
  private async recorded(mergeId: string, target: LeadRow, m: EntityManager): Promise<MergeResultDto> {
    const [row] = await m.query(`SELECT payload, stream_id FROM event_store_events WHERE event_id = $1`, [mergeId]);
    if (!row || row.stream_id !== target.id) throw AppError.badRequest('source_already_merged', 'the sources were already merged elsewhere');
    const p = row.payload as LeadEventsAdoptedPayload;
    const stored: { event_type: string; payload: unknown }[] = await m.query(
      `SELECT event_type, payload FROM event_store_events WHERE stream_id = $1 AND event_type = ANY($2::text[]) AND global_position < (SELECT global_position FROM event_store_events WHERE event_id = $3) ORDER BY stream_version`,
      [target.id, [LeadEvent.EventRecorded, LeadEvent.EventsAdopted, LeadEvent.EventRegrouped, LeadEvent.Rescored, LeadEvent.EventsDeleted, LeadEvent.MergedInto], mergeId],
    );
    const before = leadHistory(stored.map((s) => ({ type: s.event_type, payload: s.payload }))).size;
    return this.outcome(p, target, before + p.events.length);
  }
}
