import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { lockRowsInIdOrder } from '../../../platform/database';
import { StoredEvent } from '../../../platform/event-store';
import { Projection, ReadModelProjection } from '../../../platform/projections';
import {
  LeadAliasAttachedPayload,
  LeadCreatedPayload,
  LeadEvent,
  LeadEventRecordedPayload,
  LeadMergedIntoPayload,
  LeadMetadataChangedPayload,
  LeadOwnerAssignedPayload,
  LeadScoresResetPayload,
} from '../domain/lead-events';

/**
 * `leads` (identity columns) and `lead_aliases`, applied inline with each Lead append: the pipeline resolves the
 * next event's aliases from these rows, and the primary key on (unit, kind, value) is what turns two workers
 * creating the same lead at once into a retry instead of a duplicate. Activity and score columns are the async
 * `lead-events` projection's; rebuild it after rebuilding this one.
 */
@ReadModelProjection()
@Injectable()
export class LeadIdentityProjection implements Projection {
  readonly name = 'lead-identity';
  readonly mode = 'inline' as const;
  readonly tables = ['lead_aliases', 'leads'];
  readonly eventTypes = [
    LeadEvent.Created,
    LeadEvent.AliasAttached,
    LeadEvent.MetadataChanged,
    LeadEvent.OwnerAssigned,
    LeadEvent.ScoresReset,
    LeadEvent.MergedInto,
    LeadEvent.EventRecorded,
  ];
  /** of a recorded event only the profile properties its mappings set: the rest is the async projections' business */
  readonly payloadFields = { [LeadEvent.EventRecorded]: ['profile_set'] };

  async handle(events: StoredEvent[], m: EntityManager): Promise<void> {
    // consecutive creations/aliases are written in bulk, and so are the metadata changes between them, composed per
    // lead (an ingest batch's mapped profile properties, PRF-2..4, arrive on its recorded events); a lead's change
    // always follows its creation, so writing the run's creations first keeps stream order. Everything else applies
    // in order (a merge frees the source's aliases before the target attaches them in the same append).
    let run: StoredEvent[] = [];
    let changes = new Map<string, MetadataChange>();
    const flush = async () => {
      await this.identity(run, m);
      await this.metadata(changes, m);
      run = [];
      changes = new Map();
    };
    for (const e of events) {
      if (e.eventType === LeadEvent.Created || e.eventType === LeadEvent.AliasAttached) {
        run.push(e);
        continue;
      }
      if (e.eventType === LeadEvent.MetadataChanged || e.eventType === LeadEvent.EventRecorded) {
        const change = metadataChangeOf(e);
        if (change) changes.set(e.streamId, composeChanges(changes.get(e.streamId), change));
        continue;
      }
      await flush();
      if (e.eventType === LeadEvent.MergedInto) {
        const p = e.payload as LeadMergedIntoPayload;
        await m.query(`DELETE FROM lead_aliases WHERE lead_ref = $1`, [e.streamId]);
        await m.query(`UPDATE leads SET status = 'merged', merged_into = $2, updated_at = $3 WHERE id = $1`, [e.streamId, p.target_lead_id, e.occurredAt]);
      } else if (e.eventType === LeadEvent.OwnerAssigned) {
        const p = e.payload as LeadOwnerAssignedPayload;
        await m.query(`UPDATE leads SET owner_id = $2, owner_name = $3, updated_at = $4 WHERE id = $1`, [e.streamId, p.owner_id, p.owner_name, e.occurredAt]);
      } else if (e.eventType === LeadEvent.ScoresReset) {
        const p = e.payload as LeadScoresResetPayload;
        await m.query(`UPDATE leads SET score_reset_at = $2, updated_at = $3 WHERE id = $1`, [e.streamId, p.reset_at, e.occurredAt]);
      }
    }
    await flush();
  }

  /** Metadata changes of distinct leads, in one statement (their rows locked in id order first: see lockRowsInIdOrder). */
  private async metadata(changes: Map<string, MetadataChange>, m: EntityManager): Promise<void> {
    if (!changes.size) return;
    await lockRowsInIdOrder(m, 'leads', changes.keys());
    const rows = [...changes].map(([id, c]) => ({
      id,
      replace: c.replace,
      set: c.set,
      removed: c.removed,
      has_account: c.account_id !== undefined,
      account_id: c.account_id ?? null,
      at: c.at,
    }));
    await m.query(
      `UPDATE leads l SET metadata = CASE WHEN x.replace THEN x.set ELSE (l.metadata || x.set) - ARRAY(SELECT jsonb_array_elements_text(x.removed)) END,
              account_id = CASE WHEN x.has_account THEN x.account_id ELSE l.account_id END, updated_at = x.at
         FROM jsonb_to_recordset($1::jsonb) AS x(id text, replace boolean, set jsonb, removed jsonb, has_account boolean, account_id text, at timestamptz)
        WHERE l.id = x.id`,
      [JSON.stringify(rows)],
    );
  }

  private async identity(events: StoredEvent[], m: EntityManager): Promise<void> {
    const created = events.filter((e) => e.eventType === LeadEvent.Created);
    if (created.length) {
      await m.query(
        `INSERT INTO leads (id, org_id, unit_id, lead_id, metadata, account_id, created_at, updated_at)
         SELECT x.id, x.org_id, x.unit_id, x.lead_id, x.metadata, x.account_id, x.at, x.at
           FROM jsonb_to_recordset($1::jsonb) AS x(id text, org_id text, unit_id text, lead_id text, metadata jsonb, account_id text, at timestamptz)
         ON CONFLICT (id) DO NOTHING`,
        [
          JSON.stringify(
            created.map((e) => {
              const p = e.payload as LeadCreatedPayload;
              return {
                id: e.streamId,
                org_id: e.metadata.org_id,
                unit_id: e.metadata.unit_id,
                lead_id: p.lead_id,
                metadata: p.metadata ?? {},
                account_id: p.account_id,
                at: e.occurredAt,
              };
            }),
          ),
        ],
      );
    }
    const aliases = events.filter((e) => e.eventType === LeadEvent.AliasAttached);
    if (aliases.length) {
      await m.query(
        `INSERT INTO lead_aliases (unit_id, kind, value, lead_ref, org_id, created_at)
         SELECT x.unit_id, x.kind, x.value, x.lead_ref, x.org_id, x.at
           FROM jsonb_to_recordset($1::jsonb) AS x(unit_id text, kind text, value text, lead_ref text, org_id text, at timestamptz)`,
        [
          JSON.stringify(
            aliases.map((e) => {
              const p = e.payload as LeadAliasAttachedPayload;
              return { unit_id: e.metadata.unit_id, kind: p.kind, value: p.value, lead_ref: e.streamId, org_id: e.metadata.org_id, at: e.occurredAt };
            }),
          ),
        ],
      );
    }
  }
}

/** What a metadata change does to a lead's row (LeadMetadataChanged, or the mapped profile properties of a recorded event). */
interface MetadataChange {
  replace: boolean;
  set: Record<string, unknown>;
  removed: string[];
  account_id?: string | null;
  at: Date;
}

function metadataChangeOf(e: StoredEvent): MetadataChange | null {
  if (e.eventType === LeadEvent.EventRecorded) {
    const set = (e.payload as Pick<LeadEventRecordedPayload, 'profile_set'>).profile_set;
    return set ? { replace: false, set, removed: [], at: e.occurredAt } : null;
  }
  const p = e.payload as LeadMetadataChangedPayload;
  return { replace: p.replace, set: p.set, removed: p.removed, ...(p.account_id !== undefined ? { account_id: p.account_id } : {}), at: e.occurredAt };
}

/**
 * `next` applied after `prev`, as one change: a replace starts over; otherwise the sets merge (later wins), a key
 * set again is no longer removed, a key removed leaves the set, and the account follows the last change naming one.
 */
export function composeChanges(prev: MetadataChange | undefined, next: MetadataChange): MetadataChange {
  if (!prev || next.replace) return next;
  const set = { ...prev.set, ...next.set };
  for (const k of next.removed) delete set[k];
  const removed = [...new Set([...prev.removed.filter((k) => !Object.hasOwn(next.set, k)), ...next.removed])];
  const account = next.account_id !== undefined ? next.account_id : prev.account_id;
  return { replace: prev.replace, set, removed, ...(account !== undefined ? { account_id: account } : {}), at: next.at > prev.at ? next.at : prev.at };
}
