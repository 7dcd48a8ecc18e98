import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../../../../platform/clock';
import { selectRows, sql } from '../../../../platform/database';
import { AggregateRepository, EventIdConflictError, EventMetadata, nameUuid } from '../../../../platform/event-store';
import { RequestContext, unitScope } from '../../../../platform/tenancy';
import { rulesetScore, roundScore } from '../../../scoring/domain';
import { ScoringSetupService } from '../../../scoring';
import { Alias, AliasKind, LeadEventsAdoptedPayload } from '../../domain/lead-events';
import { adoptedEvent, contributionsByRuleset, HistoryEvent, leadHistory, planTruncation, TruncatePolicy } from '../../domain/lead-history';
import { Lead } from '../../domain/lead.aggregate';
import type { MergeResultDto } from '../../merge/lead-merge.dto';
import { checkMergeable, findMergeParties, MergeLeadRow, refuseTargetAmongSources } from './merge-decisions';
import { MergeLeadsCommand } from './merge-leads.command';
import { HISTORY_EVENT_TYPES, mergeOutcome, recordedMerge } from './merge-outcome';

const scoresOf = (
  events: Iterable<Pick<HistoryEvent, 'occurred_at' | 'contributions'>>,
  rulesetIds: string[],
  now: Date,
  allowNegative: boolean,
  resetAt: Date | null,
) => {
  const by = contributionsByRuleset(events);
  return Object.fromEntries(rulesetIds.map((id) => [id, roundScore(rulesetScore(by.get(id) ?? [], now, { allowNegative, resetAt }))]));
};

/**
 * MRG-1..7. Everything is decided from the event store (each lead's stream folded by `leadHistory`), so events
 * the async read models have not applied yet move too. The sources' truncated events are deleted and each source
 * is marked merged; then the target attaches the sources' aliases and adopts their events, rescored through the
 * scoring core. The append is one transaction with optimistic concurrency on every stream; ids derived from the
 * request make a retry find the merge done.
 */
@CommandHandler(MergeLeadsCommand)
export class MergeLeadsHandler implements ICommandHandler<MergeLeadsCommand, MergeResultDto> {
  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly setups: ScoringSetupService,
    private readonly clock: Clock,
  ) {}

  async execute({ targetLeadId, sourceLeadIds, truncate }: MergeLeadsCommand): Promise<MergeResultDto> {
    const { orgId, unitId } = { orgId: RequestContext.orgId(), unitId: RequestContext.unitId() };
    const sourceIds = [...new Set(sourceLeadIds)];
    refuseTargetAmongSources(targetLeadId, sourceIds);
    const rows = await selectRows<MergeLeadRow>(
      this.ds,
      sql`SELECT id, lead_id, status, score_reset_at FROM leads WHERE ${unitScope()} AND lead_id = ANY(${[targetLeadId, ...sourceIds]}::text[])`,
    );
    const { target, sources } = findMergeParties(rows, targetLeadId, sourceIds);
    const mergeId = nameUuid(
      `kenbun:merge:${unitId}:${target.id}:${sources
        .map((s) => s.id)
        .sort()
        .join(',')}:${truncate.policy}:${truncate.max_events ?? ''}`,
    );
    const result = await this.decide(orgId, unitId, target, sources, truncate, mergeId);
    RequestContext.describe({
      verb: 'merged',
      entityType: 'lead',
      entityId: target.lead_id,
      summary: `merged ${result.mergedSources.join(', ')} into lead ${target.lead_id} (${result.movedEvents} events moved, ${result.truncatedEvents} truncated)`,
    });
    return result;
  }

  private async decide(
    org: string,
    unit: string,
    target: MergeLeadRow,
    sources: MergeLeadRow[],
    truncate: TruncatePolicy,
    mergeId: string,
  ): Promise<MergeResultDto> {
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
        if (checkMergeable(mergeId, target, targetLead, sources, sourceLeads) === 'retry') return recordedMerge(mergeId, target, m);
        return this.apply(m, { org, unit, target, sources, targetLead, sourceLeads, truncate, mergeId, metadata });
      },
      { retryAlso: (err) => err instanceof EventIdConflictError },
    );
  }

  private async apply(
    m: EntityManager,
    x: {
      org: string;
      unit: string;
      target: MergeLeadRow;
      sources: MergeLeadRow[];
      targetLead: Lead;
      sourceLeads: Lead[];
      truncate: TruncatePolicy;
      mergeId: string;
      metadata: EventMetadata;
    },
  ): Promise<MergeResultDto> {
    const { target, sources, targetLead, sourceLeads, truncate, mergeId, metadata } = x;
    const now = this.clock.now();
    const refs = [target.id, ...sources.map((s) => s.id)];
    const stored: { stream_id: string; event_type: string; payload: unknown }[] = await m.query(
      `SELECT stream_id, event_type, payload FROM event_store_events
        WHERE stream_id = ANY($1::text[]) AND event_type = ANY($2::text[]) ORDER BY stream_id, stream_version`,
      [refs, HISTORY_EVENT_TYPES],
    );
    const streams = new Map<string, { type: string; payload: unknown }[]>(refs.map((r) => [r, []]));
    for (const s of stored) streams.get(s.stream_id)!.push({ type: s.event_type, payload: s.payload });
    const targetHistory = leadHistory(streams.get(target.id)!);
    const setup = await this.setups.load(x.org, x.unit, m);
    const candidates = sources.flatMap((s) =>
      [...leadHistory(streams.get(s.id)!).values()].map((event) => ({ event, source: s, occurred_at: event.occurred_at, event_id: event.event_id })),
    );
    const plan = planTruncation(candidates, truncate);
    const moved = plan.moved.map((c) =>
      adoptedEvent(c.event, c.source.id, c.source.lead_id, c.source.score_reset_at ? new Date(c.source.score_reset_at) : null, target.lead_id, setup),
    );
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
        {
          merge_id: mergeId,
          target_ref: target.id,
          target_lead_id: target.lead_id,
          moved_events: moved.filter((e) => e.from_lead_ref === sources[i].id).length,
        },
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
    return mergeOutcome(payload, target, targetHistory.size + moved.length);
  }
}
