import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../../platform/event-store';
import { Projection, ReadModelProjection } from '../../platform/projections';
import { LeadCreatedPayload, LeadEvent } from '../leads';
import { Metadata, ProfileScoring } from '../scoring';

/**
 * PRF-8: a lead's profile score, profile level and profile disqualification follow its attributes. Whenever a Lead
 * event may have changed them (created, metadata changed — patch, by alias, import, and older histories' ingest
 * mappings —, or a merge target taking over), the lead is re-evaluated from its current metadata (the identity read
 * model, applied inline before this async projection sees the event; read under the rows' locks) against the OU's
 * profile rules, cached per OU by `scoring_setup_version`: per batch one set-based read and at most two writes per OU,
 * nothing at all for an OU without profile rules beyond a one-row version read. The properties an ingested event's
 * mappings set (`profile_set` on its LeadEventRecorded) are the lead-events projection's to evaluate, in the row write
 * it makes for the event anyway, and so are the leads the pipeline creates (with the event that created them,
 * `created_lead`); a lead created with metadata that already reads right (score 0, not disqualified) needs no read at all. Reads envelopes and a creation's metadata. Idempotent: it derives from current state, so replays and
 * rebuilds write the same rows.
 */
@ReadModelProjection()
@Injectable()
export class ProfileScoresProjection implements Projection {
  readonly name = 'profile-scores';
  readonly tables: string[] = [];
  readonly readsPayload = false;
  readonly eventTypes = [LeadEvent.Created, LeadEvent.MetadataChanged, LeadEvent.EventsAdopted];
  /** of a creation only where and with what metadata it was created (see createdNeedingEvaluation) */
  readonly payloadFields = { [LeadEvent.Created]: ['metadata', 'source'] };
  private readonly pending = new WeakMap<StoredEvent[], (() => Promise<void>)[]>();

  constructor(private readonly profiles: ProfileScoring) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const byUnit = new Map<string, { orgId: string; changed: Set<string>; created: Map<string, Metadata | null> }>();
    for (const e of events) {
      const unitId = String(e.metadata.unit_id ?? '');
      const orgId = String(e.metadata.org_id ?? '');
      if (!unitId || !orgId) continue;
      let entry = byUnit.get(unitId);
      if (!entry) byUnit.set(unitId, (entry = { orgId, changed: new Set(), created: new Map() }));
      if (e.eventType !== LeadEvent.Created) entry.changed.add(e.streamId);
      else {
        const p = e.payload as Pick<LeadCreatedPayload, 'metadata' | 'source'>;
        // a lead the ingest pipeline created is evaluated with the event that created it (created_lead, lead-events)
        if (p.source !== 'ingest') entry.created.set(e.streamId, p.metadata ?? null);
      }
    }
    const after: (() => Promise<void>)[] = [];
    for (const [unitId, { orgId, changed, created }] of byUnit) {
      // a lead created and changed in one batch is evaluated on its current metadata anyway
      for (const ref of changed) created.delete(ref);
      const evaluate = await this.profiles.createdNeedingEvaluation(m, orgId, unitId, created);
      // the others read right already but for their first profile level (a score of 0 may have one too)
      const readRight = [...created.keys()].filter((ref) => !evaluate.includes(ref));
      if (readRight.length) after.push(await this.profiles.followCreated(m, unitId, readRight));
      const refs = [...changed, ...evaluate];
      if (!refs.length) continue;
      const { afterCommit } = await this.profiles.reevaluate(m, orgId, unitId, refs, false, new Set(evaluate));
      after.push(afterCommit);
    }
    this.pending.set(events, after);
  }

  async afterCommit(events: StoredEvent[]): Promise<void> {
    for (const publish of this.pending.get(events) ?? []) await publish();
    this.pending.delete(events);
  }
}
