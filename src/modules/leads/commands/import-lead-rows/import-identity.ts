import { EntityManager } from 'typeorm';
import { selectRows, sql } from '../../../../platform/database';
import { unitOnly } from '../../../../platform/tenancy';
import { Alias } from '../../domain/lead-events';

export interface ImportIdentity {
  refOfLeadId: Map<string, string>;
  leadIdOfRef: Map<string, string>;
  refOfAlias: Map<string, string>;
  /** leads that exist but are not active (being deleted, merged away) */
  inactive: Set<string>;
}

/** Every identifier a chunk mentions, resolved in two queries. */
export async function loadImportIdentity(m: EntityManager, unitId: string, aliases: Alias[], leadIds: string[]): Promise<ImportIdentity> {
  const identity: ImportIdentity = { refOfLeadId: new Map(), leadIdOfRef: new Map(), refOfAlias: new Map(), inactive: new Set() };
  if (leadIds.length) {
    const rows = await selectRows<{ id: string; lead_id: string; status: string }>(
      m,
      sql`SELECT id, lead_id, status FROM leads WHERE ${unitOnly(undefined, unitId)} AND lead_id = ANY(${[...new Set(leadIds)]}::text[])`,
    );
    for (const r of rows) {
      identity.refOfLeadId.set(r.lead_id, r.id);
      identity.leadIdOfRef.set(r.id, r.lead_id);
      if (r.status !== 'active') identity.inactive.add(r.id);
    }
  }
  if (aliases.length) {
    const rows = await selectRows<{ kind: string; value: string; lead_ref: string; lead_id: string; status: string }>(
      m,
      sql`SELECT a.kind, a.value, a.lead_ref, l.lead_id, l.status FROM unnest(${aliases.map((a) => a.kind)}::text[], ${aliases.map((a) => a.value)}::text[]) AS x(kind, value)
            JOIN lead_aliases a ON ${unitOnly('a', unitId)} AND a.kind = x.kind AND a.value = x.value
            JOIN leads l ON l.id = a.lead_ref`,
    );
    for (const r of rows) {
      identity.refOfAlias.set(`${r.kind}:${r.value}`, r.lead_ref);
      identity.leadIdOfRef.set(r.lead_ref, r.lead_id);
      if (r.status !== 'active') identity.inactive.add(r.lead_ref);
    }
  }
  return identity;
}
