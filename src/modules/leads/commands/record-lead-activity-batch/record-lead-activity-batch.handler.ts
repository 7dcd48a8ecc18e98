import { Logger, Optional } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EntityManager } from 'typeorm';
import { isDeadlock, isUniqueViolation } from '../../../../platform/database';
import { AggregateRepository, EventIdConflictError, StreamAppend, uuidv7 } from '../../../../platform/event-store';
import { deriveChannel, canonicalEventType, firstSuppressingFilter } from '../../../scoring/domain';
import { ScoringSetupService } from '../../../scoring';
import { recordUsage } from '../../../billing';
import { aliasKey } from '../../domain/alias-normalisation';
import { Alias, LeadEvent, SuppressedEventRecordedPayload, SuppressedEventStreamType } from '../../domain/lead-events';
import { IncomingEvent, Lead } from '../../domain/lead.aggregate';
import { MAX_METADATA_BYTES, metadataBytes } from '../../domain/lead-metadata';
import { BatchAttributeMapping, LeadAttributeMapper } from '../../lead-attribute-mapper';
import { ActivityIdentity, loadActivityIdentity } from './activity-identity';
import { LeadActivity, LeadActivityOutcome, RecordLeadActivityBatchCommand } from './record-lead-activity-batch.command';

/**
 * ING-7 for one OU's batch, in one transaction: drop events already recorded (a redelivered job), metadata
 * filters (suppressed events go to their own stream and never create a lead), lead resolution (lead_id, else
 * the first alias that resolves, else a new lead; new aliases attach; never a merge), then each lead records its
 * events in order (fan-out, velocity, scoring). Everything the batch decided is appended at once with each
 * lead's expected version; a conflict with another writer re-runs the batch from a fresh read. A worker dying
 * mid-batch rolls the transaction back; a batch whose transaction committed but whose job completion was lost
 * is recognised by its event ids and records nothing twice.
 */
@CommandHandler(RecordLeadActivityBatchCommand)
export class RecordLeadActivityBatchHandler implements ICommandHandler<RecordLeadActivityBatchCommand, LeadActivityOutcome> {
  private readonly log = new Logger('IngestPipeline');

  constructor(
    private readonly repo: AggregateRepository,
    private readonly setups: ScoringSetupService,
    @Optional() private readonly mapper?: LeadAttributeMapper,
  ) {}

  async execute({ activities, correlationId }: RecordLeadActivityBatchCommand): Promise<LeadActivityOutcome> {
    if (!activities.length) return { recorded: 0, suppressed: 0, duplicates: 0, leadsCreated: 0 };
    return this.repo.transaction((m) => this.decideAndAppend(activities, correlationId, m), {
      // another writer recorded the same client event id, or created the same lead or alias, first; or two
      // writers creating several aliases each took them in opposite orders and PostgreSQL aborted one
      retryAlso: (err) => err instanceof EventIdConflictError || isUniqueViolation(err) || isDeadlock(err),
      onRetry: (err, attempt) => this.log.debug({ attempt, err: err.message }, 'ingest batch conflicted with another writer; retrying'),
    });
  }

  private async decideAndAppend(all: readonly LeadActivity[], correlationId: string, m: EntityManager): Promise<LeadActivityOutcome> {
    const { org_id, unit_id } = all[0];
    const result: LeadActivityOutcome = { recorded: 0, suppressed: 0, duplicates: 0, leadsCreated: 0 };
    // a redelivered job, or a client resending an event id: recorded once
    const storedIds = new Set<string>(
      (await m.query(`SELECT event_id FROM event_store_events WHERE event_id = ANY($1::uuid[])`, [all.map((e) => e.event_id)])).map(
        (r: { event_id: string }) => r.event_id,
      ),
    );
    const seen = new Set<string>();
    const events = all.filter((e) => {
      const fresh = !storedIds.has(e.event_id) && !seen.has(e.event_id);
      seen.add(e.event_id);
      return fresh;
    });
    result.duplicates = all.length - events.length;
    if (!events.length) return result;

    const setup = await this.setups.load(org_id, unit_id, m);
    const leadIds = [...new Set(events.flatMap((e) => (e.lead_id ? [e.lead_id] : [])))];
    const identity = await loadActivityIdentity(
      m,
      unit_id,
      leadIds,
      events.flatMap((e) => e.aliases),
    );

    // MF-2: metadata filters first; a suppressed event is stored on its own stream and never touches a lead
    const extra: StreamAppend[] = [];
    const kept: LeadActivity[] = [];
    for (const e of events) {
      const filterId = firstSuppressingFilter(setup.metadataFilters, { event_type: e.event_type, metadata: e.metadata });
      if (filterId === null) {
        kept.push(e);
        continue;
      }
      const resolved = existingLead(e, identity);
      // a lead being deleted is not named by new records
      const leadRef = resolved && !identity.deleting.has(resolved) ? resolved : null;
      const payload: SuppressedEventRecordedPayload = {
        ...recordedBase(e),
        suppression: 'metadata_filter',
        filter_id: filterId,
        contributions: [],
        scope: setup.scopes.get(canonicalEventType(e.event_type)) ?? 'activate',
        lead_ref: leadRef,
        lead_id: leadRef ? (identity.leadIdOfRef.get(leadRef) ?? null) : null,
      };
      extra.push({
        streamId: `suppressed-${e.event_id}`,
        streamType: SuppressedEventStreamType,
        expectedVersion: 'no_stream',
        events: [{ eventId: e.event_id, type: LeadEvent.SuppressedEventRecorded, payload, occurredAt: new Date(e.occurred_at) }],
        metadata: { org_id, unit_id, actor: e.actor, correlation_id: correlationId },
      });
      result.suppressed++;
    }

    // lead resolution, in acceptance order so that a lead created by one event is found by the next
    const assignments: { event: LeadActivity; ref: string }[] = [];
    const created = new Map<string, { lead_id: string; at: Date; source: string }>();
    const attach = new Map<string, Alias[]>();
    for (const e of kept) {
      let ref: string | undefined;
      if (e.lead_id) ref = identity.refOfLeadId.get(e.lead_id);
      else ref = e.aliases.map((a) => identity.refOfAlias.get(aliasKey(a))).find((r) => r !== undefined);
      // LEAD-18: an event accepted before its lead's deletion was requested is not recorded (nor does it re-create the lead)
      if ((ref !== undefined && identity.deleting.has(ref)) || (ref === undefined && e.lead_id && (identity.deletedAt.get(e.lead_id) ?? '') >= e.received_at)) {
        result.dropped = (result.dropped ?? 0) + 1;
        continue;
      }
      if (ref === undefined) {
        ref = uuidv7();
        const leadId = e.lead_id ?? `ld_${ref.replace(/-/g, '').slice(-20)}`;
        created.set(ref, { lead_id: leadId, at: new Date(e.received_at), source: e.source === 'import' ? 'import' : 'ingest' });
        identity.refOfLeadId.set(leadId, ref);
        identity.leadIdOfRef.set(ref, leadId);
      }
      for (const a of e.aliases) {
        if (identity.refOfAlias.has(aliasKey(a))) continue; // owned (by this lead or another: never an auto-merge)
        identity.refOfAlias.set(aliasKey(a), ref);
        attach.set(ref, [...(attach.get(ref) ?? []), a]);
      }
      assignments.push({ event: e, ref });
    }

    const existingRefs = [...new Set(assignments.map((a) => a.ref).filter((r) => !created.has(r)))];
    const leads = await this.repo.loadMany(Lead, existingRefs, m);
    for (const [ref, c] of created) {
      const lead = new Lead(ref);
      lead.create({ lead_id: c.lead_id, metadata: {}, account_id: null, source: c.source }, c.at);
      leads.set(ref, lead);
      result.leadsCreated++;
    }
    for (const [ref, aliases] of attach) for (const a of aliases) leads.get(ref)!.attachAlias(a, new Date(all[0].received_at));

    const scoring = {
      rulesets: setup.rulesets,
      velocityFilters: setup.velocityFilters,
      hiddenEventTypes: setup.hiddenEventTypes,
      scopes: setup.scopes,
      surgePolicy: setup.surgePolicy,
    };
    const mapping = assignments.length && this.mapper ? await this.mapper.forBatch(org_id, unit_id, m) : null;
    const mapped = mapping ? new MappedAttributes(mapping, this.log) : null;
    for (const { event, ref } of assignments) {
      const lead = leads.get(ref)!;
      lead.record(incoming(event), scoring, mapped?.observe(ref, lead, event));
      result.recorded++;
    }

    const metadata = { org_id, unit_id, actor: all[0].actor, correlation_id: correlationId };
    await this.repo.saveMany([...leads.values()], metadata, m, extra, { racedIsConflict: true });
    if (mapped) await mapped.flushAccount(m, leads);
    // USE-5: every event accepted for the first time counts once (recorded, suppressed, or dropped with its deleted
    // lead), committed with them; last, so the counter row is held only until the commit
    await recordUsage(
      m,
      org_id,
      unit_id,
      events.map((e) => e.received_at),
    );
    return result;
  }
}

function recordedBase(e: LeadActivity) {
  return {
    event_id: e.event_id,
    client_event_id: e.client_event_id,
    event_type: e.event_type,
    event_type_key: canonicalEventType(e.event_type),
    occurred_at: e.occurred_at,
    received_at: e.received_at,
    metadata: e.metadata,
    channel: deriveChannel(e.metadata),
    source: e.source,
    skip_triggers: e.skip_triggers,
  };
}

function incoming(e: LeadActivity): IncomingEvent {
  return { ...recordedBase(e), occurred_at: new Date(e.occurred_at), received_at: new Date(e.received_at) };
}

function existingLead(e: LeadActivity, identity: ActivityIdentity): string | null {
  if (e.lead_id) return identity.refOfLeadId.get(e.lead_id) ?? null;
  return e.aliases.map((a) => identity.refOfAlias.get(aliasKey(a))).find((r) => r !== undefined) ?? null;
}

/**
 * PRF-2..4 on ingest: the OU's field mappings applied to each recorded event in acceptance order, against the lead's
 * metadata as the batch's earlier events left it. An event's profile changes travel on its LeadEventRecorded
 * (`profile_set`, merged into the lead's metadata with it); account values are collected per lead and handed to the
 * account side after the append.
 */
class MappedAttributes {
  private readonly account = new Map<string, unknown[]>();

  constructor(
    private readonly mapping: BatchAttributeMapping,
    private readonly log: Logger,
  ) {}

  /** The profile properties `event` changes on `lead` (none when that would take its metadata over the size bound). */
  observe(ref: string, lead: Lead, event: LeadActivity): Record<string, unknown> | undefined {
    if (this.mapping.account) {
      const values = this.mapping.account(event.metadata);
      if (values.length) this.account.set(ref, [...(this.account.get(ref) ?? []), ...values]);
    }
    if (!this.mapping.profile) return undefined;
    const current = lead.metadata;
    const changes = this.mapping.profile(event.metadata, current);
    if (!Object.keys(changes).length) return undefined;
    if (metadataBytes({ ...current, ...changes }) > MAX_METADATA_BYTES) {
      this.log.warn({ msg: 'profile mapping left out: the lead metadata would exceed its size bound', lead_ref: ref, properties: Object.keys(changes) });
      return undefined;
    }
    return changes;
  }

  async flushAccount(m: EntityManager, leads: Map<string, Lead>): Promise<void> {
    if (!this.account.size) return;
    await this.mapping.flushAccount(
      m,
      [...this.account].map(([ref, values]) => ({ lead_ref: ref, lead_id: leads.get(ref)!.leadId, values })),
    );
  }
}
