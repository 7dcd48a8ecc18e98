import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../../platform/event-store';
import { Projection, ReadModelProjection } from '../../platform/projections';
import { LeadEvent } from '../leads';
import { ProfileScoring } from '../scoring';

/**
 * PRF-8: a lead's profile score, profile level and profile disqualification follow its attributes. Whenever a Lead
 * event may have changed them (created, metadata changed — patch, by alias, import —, an ingested event whose profile
 * mappings set properties, or a merge target taking over), the lead is re-evaluated from its current metadata (the identity read model, applied inline before
 * this async projection sees the event) against the OU's profile rules, cached per OU by `scoring_setup_version`:
 * per batch one set-based read and at most two writes per OU, nothing at all for an OU without profile rules beyond a
 * one-row version read. It reads event envelopes only (and whether a recorded event set properties). Idempotent: it derives from current state, so replays and
 * rebuilds write the same rows.
 */
@ReadModelProjection()
@Injectable()
export class ProfileScoresProjection implements Projection {
  readonly name = 'profile-scores';
  readonly tables: string[] = [];
  readonly readsPayload = false;
  readonly eventTypes = [LeadEvent.Created, LeadEvent.MetadataChanged, LeadEvent.EventsAdopted, LeadEvent.EventRecorded];
  /** recorded events only when they carry mapped profile properties (PRF-2..4 on ingest), and only that field */
  readonly payloadFields = { [LeadEvent.EventRecorded]: ['profile_set'] };
  private readonly pending = new WeakMap<StoredEvent[], (() => Promise<void>)[]>();

  constructor(private readonly profiles: ProfileScoring) {}

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const byUnit = new Map<string, { orgId: string; refs: Set<string> }>();
    for (const e of events) {
      if (e.eventType === LeadEvent.EventRecorded && !(e.payload as { profile_set?: unknown }).profile_set) continue;
      const unitId = String(e.metadata.unit_id ?? '');
      const orgId = String(e.metadata.org_id ?? '');
      if (!unitId || !orgId) continue;
      const entry = byUnit.get(unitId) ?? { orgId, refs: new Set<string>() };
      entry.refs.add(e.streamId);
      byUnit.set(unitId, entry);
    }
    const after: (() => Promise<void>)[] = [];
    for (const [unitId, { orgId, refs }] of byUnit) {
      const { afterCommit } = await this.profiles.reevaluate(m, orgId, unitId, [...refs]);
      after.push(afterCommit);
    }
    this.pending.set(events, after);
  }

  async afterCommit(events: StoredEvent[]): Promise<void> {
    for (const publish of this.pending.get(events) ?? []) await publish();
    this.pending.delete(events);
  }
}
