import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import { LeadCreatedPayload, LeadEvent, LeadEventRecordedPayload, LeadMetadataChangedPayload } from '../../leads';

/**
 * `lead_metadata_keys` (PRF-15): every top-level key a lead's metadata got in an OU — from its creation, an edit, an
 * import or a profile mapping — so `GET /lead-metadata/properties` reads a few rows instead of every lead's metadata.
 * One statement per batch of events; keys are never taken out (the list is of keys observed).
 */
@ReadModelProjection()
@Injectable()
export class LeadMetadataKeysProjection implements Projection {
  readonly name = 'lead-metadata-keys';
  readonly tables = ['lead_metadata_keys'];
  readonly eventTypes = [LeadEvent.Created, LeadEvent.MetadataChanged, LeadEvent.EventRecorded];
  /** recorded events only when their profile mappings set properties, and only those */
  readonly payloadFields = { [LeadEvent.EventRecorded]: ['profile_set'] };

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    const seen = new Map<string, { unit_id: string; org_id: string; key: string; at: Date }>();
    for (const e of events) {
      const metadata =
        e.eventType === LeadEvent.Created
          ? (e.payload as LeadCreatedPayload).metadata
          : e.eventType === LeadEvent.EventRecorded
            ? (e.payload as Pick<LeadEventRecordedPayload, 'profile_set'>).profile_set
            : (e.payload as LeadMetadataChangedPayload).set;
      const unit = e.metadata.unit_id;
      if (!metadata || !unit) continue;
      for (const key of Object.keys(metadata)) {
        const id = `${unit}\u0000${key}`;
        if (!seen.has(id)) seen.set(id, { unit_id: unit, org_id: e.metadata.org_id ?? '', key, at: e.occurredAt });
      }
    }
    if (!seen.size) return;
    await m.query(
      `INSERT INTO lead_metadata_keys (unit_id, key, org_id, first_seen_at)
       SELECT x.unit_id, x.key, x.org_id, x.at FROM jsonb_to_recordset($1::jsonb) AS x(unit_id text, key text, org_id text, at timestamptz)
       ON CONFLICT (unit_id, key) DO NOTHING`,
      [JSON.stringify([...seen.values()])],
    );
  }
}
