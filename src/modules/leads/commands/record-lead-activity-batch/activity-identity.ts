import { EntityManager } from 'typeorm';
import { selectRows, sql } from '../../../../platform/database';
import { unitOnly } from '../../../../platform/tenancy';
import { Alias } from '../../domain/lead-events';

/** What a batch of activity knows about the leads it names, read once at the start of its transaction. */
export interface ActivityIdentity {
  refOfLeadId: Map<string, string>;
  leadIdOfRef: Map<string, string>;
  refOfAlias: Map<string, string>;
  /** leads whose deletion is under way (LEAD-18) */
  deleting: Set<string>;
  /** public id → latest deletion request (ISO), for ids without a lead now */
  deletedAt: Map<string, string>;
}

interface LeadRow {
  id: string;
  lead_id: string;
  status: string;
}

interface AliasRow {
  kind: string;
  value: string;
  lead_ref: string;
  lead_id: string;
  status: string;
}

/**
 * The leads named by public id or by alias, each locked FOR KEY SHARE in id order (the lead-lock order, see
 * lead-lock.ts): an erasure (LEAD-18) waits for this transaction, so nothing is appended to an erased stream.
 * For public ids without a lead, the latest deletion request, so that an event accepted before it is dropped.
 */
export async function loadActivityIdentity(m: EntityManager, unitId: string, leadIds: string[], aliases: Alias[]): Promise<ActivityIdentity> {
  const byId = leadIds.length
    ? await selectRows<LeadRow>(
        m,
        sql`SELECT id, lead_id, status FROM leads WHERE ${unitOnly(undefined, unitId)} AND lead_id = ANY(${leadIds}::text[]) ORDER BY id FOR KEY SHARE`,
      )
    : [];
  const byAlias = aliases.length
    ? await selectRows<AliasRow>(
        m,
        sql`SELECT a.kind, a.value, a.lead_ref, l.lead_id, l.status FROM unnest(${aliases.map((a) => a.kind)}::text[], ${aliases.map((a) => a.value)}::text[]) AS x(kind, value)
              JOIN lead_aliases a ON ${unitOnly('a', unitId)} AND a.kind = x.kind AND a.value = x.value
              JOIN leads l ON l.id = a.lead_ref
             ORDER BY l.id FOR KEY SHARE OF l`,
      )
    : [];
  const identity: ActivityIdentity = { refOfLeadId: new Map(), leadIdOfRef: new Map(), refOfAlias: new Map(), deleting: new Set(), deletedAt: new Map() };
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
    const rows = await selectRows<{ lead_id: string; at: Date }>(
      m,
      sql`SELECT lead_id, max(requested_at) AS at FROM lead_deletions WHERE ${unitOnly(undefined, unitId)} AND lead_id = ANY(${gone}::text[]) GROUP BY lead_id`,
    );
    for (const r of rows) identity.deletedAt.set(r.lead_id, new Date(r.at).toISOString());
  }
  return identity;
}
