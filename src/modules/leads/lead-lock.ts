import { EntityManager } from 'typeorm';

/**
 * The internal ids among `refs` whose lead is live (`status = 'active'`), each locked FOR KEY SHARE until the
 * caller's transaction ends. Every writer that appends to an existing Lead stream takes this lock first: a
 * lead being deleted (`status = 'deleting'`) gets nothing more, and the erasure's `FOR UPDATE` waits for a
 * writer that locked the lead before the deletion was requested, so the events it appends are erased too and
 * no event is ever appended to an erased stream.
 */
export async function lockLiveLeads(m: EntityManager, refs: string[]): Promise<Set<string>> {
  if (!refs.length) return new Set();
  const rows: { id: string }[] = await m.query(
    `SELECT id FROM leads WHERE id = ANY($1::text[]) AND status = 'active' ORDER BY id FOR KEY SHARE`,
    [[...new Set(refs)]],
  );
  return new Set(rows.map((r) => r.id));
}
