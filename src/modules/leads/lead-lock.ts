import { EntityManager } from 'typeorm';
import { AggregateRepository, EventMetadata, StreamAppend } from '../../platform/event-store';
import { Lead } from './domain/lead.aggregate';

/**
 * The internal ids among `refs` whose lead is live (`status = 'active'`), each locked FOR KEY SHARE until the
 * caller's transaction ends. Every writer that appends to an existing Lead stream takes this lock first: a
 * lead being deleted (`status = 'deleting'`) gets nothing more, and the erasure's `FOR UPDATE` waits for a
 * writer that locked the lead before the deletion was requested, so the events it appends are erased too and
 * no event is ever appended to an erased stream.
 */
export async function lockLiveLeads(m: EntityManager, refs: string[]): Promise<Set<string>> {
  if (!refs.length) return new Set();
  const rows: { id: string }[] = await m.query(`SELECT id FROM leads WHERE id = ANY($1::text[]) AND status = 'active' ORDER BY id FOR KEY SHARE`, [
    [...new Set(refs)],
  ]);
  return new Set(rows.map((r) => r.id));
}

/**
 * The one way the leads module's command handlers change existing leads outside the ingest batch: in a transaction (run again on a conflict with
 * another writer), lock the live leads among `refs`, load them, let `decide` raise events on them and save. Leads
 * no longer live are absent from the map `decide` gets; it may return appends to other streams.
 */
export async function changeLiveLeads(
  repo: AggregateRepository,
  refs: string[],
  metadata: EventMetadata,
  decide: (leads: Map<string, Lead>) => StreamAppend[] | void,
): Promise<void> {
  await repo.transaction(async (m) => {
    const live = await lockLiveLeads(m, refs);
    const leads = await repo.loadMany(Lead, [...live], m);
    const extra = decide(leads) ?? [];
    await repo.saveMany([...leads.values()], metadata, m, extra);
  });
}
