import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AggregateRepository } from '../../../platform/event-store/aggregate.repository';
import { EventIdConflictError, StreamAppend } from '../../../platform/event-store/event-store.types';
import { uuidv7 } from '../../../platform/event-store/uuid-v7';
import { MetricsService } from '../../../platform/metrics/metrics.service';
import { Alias, LeadEvent, SuppressedEventRecordedPayload, SuppressedEventStreamType } from '../../leads/domain/lead-events';
import { IncomingEvent, Lead } from '../../leads/domain/lead.aggregate';
import { deriveChannel, canonicalEventType, firstSuppressingFilter, OuScoringSetup, ScoringSetupService } from '../../scoring';
import { QueuedEvent } from '../ingest-job';
import { isUniqueViolation } from '../../../platform/database/pg-errors';

const aliasKey = (a: Alias) => `${a.kind}:${a.value}`;

export interface PipelineResult {
  recorded: number;
  suppressed: number;
  duplicates: number;
  leadsCreated: number;
  /** Events of a lead deleted meanwhile (LEAD-18): accepted before the deletion, never recorded. */
  dropped?: number;
}


/**
 * ING-7 for a batch of queued events, in one transaction per OU: drop events already recorded (a redelivered
 * job), metadata filters (suppressed events go to their own stream and never create a lead), lead resolution
 * (lead_id, else the first alias that resolves, else a new lead; new aliases attach; never a merge), then each
 * lead records its events in order (fan-out, velocity, scoring). Everything the batch decided is appended at
 * once with each lead's expected version; a conflict with another worker re-runs the batch from a fresh read.
 * A worker dying mid-batch rolls the transaction back and Bull redelivers the job; a job whose transaction
 * committed but whose completion was lost is recognised by its event ids and records nothing twice.
 */
@Injectable()
export class IngestPipeline {
  private readonly log = new Logger(IngestPipeline.name);

  constructor(
    private readonly ds: DataSource,
    private readonly repo: AggregateRepository,
    private readonly setups: ScoringSetupService,
    private readonly metrics: MetricsService,
  ) {}

  async process(events: QueuedEvent[], correlationId: string): Promise<PipelineResult> {
    const total: PipelineResult = { recorded: 0, suppressed: 0, duplicates: 0, leadsCreated: 0 };
    const byUnit = new Map<string, QueuedEvent[]>();
    for (const e of events) {
      const list = byUnit.get(e.unit_id) ?? [];
      list.push(e);
      byUnit.set(e.unit_id, list);
    }
    for (const list of byUnit.values()) {
      const r = await this.processUnit(list, correlationId);
      total.recorded += r.recorded;
      total.suppressed += r.suppressed;
      total.duplicates += r.duplicates;
      total.leadsCreated += r.leadsCreated;
      if (r.dropped) total.dropped = (total.dropped ?? 0) + r.dropped;
    }
    this.metrics.eventsProcessed.inc({ outcome: 'recorded' }, total.recorded);
    this.metrics.eventsProcessed.inc({ outcome: 'suppressed' }, total.suppressed);
    this.metrics.eventsProcessed.inc({ outcome: 'duplicate' }, total.duplicates);
    return total;
  }

  private async processUnit(events: QueuedEvent[], correlationId: string): Promise<PipelineResult> {
    return this.repo.transaction((m) => this.decideAndAppend(events, correlationId, m), {
      // another job recorded the same client event id, or created the same lead or alias, first
      retryAlso: (err) => err instanceof EventIdConflictError || isUniqueViolation(err),
      onRetry: (err, attempt) => this.log.debug({ attempt, err: err.message }, 'ingest batch conflicted with another writer; retrying'),
    });
  }

  private async decideAndAppend(all: QueuedEvent[], correlationId: string, m: EntityManager): Promise<PipelineResult> {
    const { org_id, unit_id } = all[0];
    const result: PipelineResult = { recorded: 0, suppressed: 0, duplicates: 0, leadsCreated: 0 };
    // a redelivered job, or a client resending an event id: recorded once
    const storedIds = new Set<string>(
      (await m.query(`SELECT event_id FROM event_store_events WHERE event_id = ANY($1::uuid[])`, [all.map((e) => e.event_id)])).map((r: { event_id: string }) => r.event_id),
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
    const identity = await this.loadIdentity(unit_id, events, m);

    // MF-2: metadata filters first; a suppressed event is stored on its own stream and never touches a lead
    const extra: StreamAppend[] = [];
    const kept: QueuedEvent[] = [];
    for (const e of events) {
      const filterId = firstSuppressingFilter(setup.metadataFilters, { event_type: e.event_type, metadata: e.metadata });
      if (filterId === null) {
        kept.push(e);
        continue;
      }
      const resolved = this.existingLead(e, identity);
      // a lead being deleted is not named by new records
      const leadRef = resolved && !identity.deleting.has(resolved) ? resolved : null;
      const payload: SuppressedEventRecordedPayload = {
        ...this.recordedBase(e),
        suppression: 'metadata_filter',
        filter_id: filterId,
        contributions: [],
        scope: setup.scopes.get(canonicalEventType(e.event_type)) ?? 'activate',
        lead_ref: leadRef,
        lead_id: leadRef ? identity.leadIdOfRef.get(leadRef) ?? null : null,
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
    const assignments: { event: QueuedEvent; ref: string }[] = [];
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

    const scoring = { rulesets: setup.rulesets, velocityFilters: setup.velocityFilters, hiddenEventTypes: setup.hiddenEventTypes, scopes: setup.scopes };
    for (const { event, ref } of assignments) {
      leads.get(ref)!.record(this.incoming(event), scoring);
      result.recorded++;
    }

    const metadata = { org_id, unit_id, actor: all[0].actor, correlation_id: correlationId };
    await this.repo.saveMany([...leads.values()], metadata, m, extra);
    return result;
  }

  private recordedBase(e: QueuedEvent) {
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

  private incoming(e: QueuedEvent): IncomingEvent {
    const base = this.recordedBase(e);
    return { ...base, occurred_at: new Date(e.occurred_at), received_at: new Date(e.received_at) };
  }

  private existingLead(e: QueuedEvent, identity: Identity): string | null {
    if (e.lead_id) return identity.refOfLeadId.get(e.lead_id) ?? null;
    return e.aliases.map((a) => identity.refOfAlias.get(aliasKey(a))).find((r) => r !== undefined) ?? null;
  }

  private async loadIdentity(unitId: string, events: QueuedEvent[], m: EntityManager): Promise<Identity> {
    const leadIds = [...new Set(events.flatMap((e) => (e.lead_id ? [e.lead_id] : [])))];
    const aliases = events.flatMap((e) => e.aliases);
    // FOR KEY SHARE: an erasure (LEAD-18) waits for this transaction, so nothing is appended to an erased stream
    const byId = leadIds.length
      ? await m.query(`SELECT id, lead_id, status FROM leads WHERE unit_id = $1 AND lead_id = ANY($2::text[]) ORDER BY id FOR KEY SHARE`, [unitId, leadIds])
      : [];
    const byAlias = aliases.length
        ? await m.query(
            `SELECT a.kind, a.value, a.lead_ref, l.lead_id, l.status FROM unnest($2::text[], $3::text[]) AS x(kind, value)
               JOIN lead_aliases a ON a.unit_id = $1 AND a.kind = x.kind AND a.value = x.value
               JOIN leads l ON l.id = a.lead_ref
              ORDER BY l.id FOR KEY SHARE OF l`,
            [unitId, aliases.map((a) => a.kind), aliases.map((a) => a.value)],
          )
        : [];
    const identity: Identity = { refOfLeadId: new Map(), leadIdOfRef: new Map(), refOfAlias: new Map(), deleting: new Set(), deletedAt: new Map() };
    for (const r of byId) {
      identity.refOfLeadId.set(r.lead_id, r.id);
      identity.leadIdOfRef.set(r.id, r.lead_id);
      if (r.status === 'deleting') identity.deleting.add(r.id);
    }
    for (const r of byAlias) {
      identity.refOfAlias.set(`${r.kind}:${r.value}`, r.lead_ref);
      identity.leadIdOfRef.set(r.lead_ref, r.lead_id);
      if (r.status === 'deleting') identity.deleting.add(r.lead_ref);
    }
    const gone = leadIds.filter((id) => !identity.refOfLeadId.has(id));
    if (gone.length) {
      const rows: { lead_id: string; at: Date }[] = await m.query(
        `SELECT lead_id, max(requested_at) AS at FROM lead_deletions WHERE unit_id = $1 AND lead_id = ANY($2::text[]) GROUP BY lead_id`,
        [unitId, gone],
      );
      for (const r of rows) identity.deletedAt.set(r.lead_id, new Date(r.at).toISOString());
    }
    return identity;
  }
}

interface Identity {
  refOfLeadId: Map<string, string>;
  leadIdOfRef: Map<string, string>;
  refOfAlias: Map<string, string>;
  /** leads whose deletion is under way (LEAD-18) */
  deleting: Set<string>;
  /** public id → latest deletion request (ISO), for ids without a lead now */
  deletedAt: Map<string, string>;
}
