import { joinSql, raw, Sql, sql } from '../../../platform/database';
import { relativeRange } from '../../../platform/http';
import { unitOnly } from '../../../platform/tenancy';
import { canonicalEventType } from '../../scoring/domain';
import { LeadFilterQueryDto, SortBy } from '../http/lead-reads.dto';

const DAY = 86_400_000;

/** Sort keys; each has a partial index `(unit_id, <key> DESC, id DESC) WHERE status = 'active'` (migration 7). */
const SORT_KEYS: Record<SortBy, { expr: string; cast: string }> = {
  score: { expr: 'l.score', cast: 'float8' },
  created_at: { expr: 'l.created_at', cast: 'timestamptz' },
  last_event_at: { expr: `coalesce(l.last_event_at, '-infinity'::timestamptz)`, cast: 'timestamptz' },
};

export const ITEM_COLUMNS =
  raw(`l.id, l.org_id, l.unit_id, l.lead_id, l.score, l.engagement_level, l.account_id, l.owner_id, l.owner_name, l.last_event_at, l.last_event_type,
  l.event_count, l.created_at, l.updated_at, l.profile_score, l.profile_level, l.disqualified, l.disqualified_at, l.disqualification, l.account_ref`);
/** The display alias of a lead (first email, else any). */
export const ALIAS_EXTRA = raw(
  `(SELECT a.value FROM lead_aliases a WHERE a.lead_ref = p.id ORDER BY (a.kind <> 'email'), a.created_at, a.value LIMIT 1) AS alias`,
);
/** The public id of the account the lead is grouped into (ABM: the `accounts` read model), per row of a page. */
export const ACCOUNT_EXTRA = raw(`(SELECT ac.account_id FROM accounts ac WHERE ac.id = p.account_ref AND ac.archived_at IS NULL) AS grouped_account_id`);
/** Per-row extras of a page: the lead's materialised score per ruleset, its display alias and its account. */
export const ITEM_EXTRAS = sql`(SELECT jsonb_object_agg(s.ruleset_id, s.score) FROM lead_scores s WHERE s.lead_ref = p.id) AS scores, ${ALIAS_EXTRA}, ${ACCOUNT_EXTRA}`;

/** `%`, `_` and `\` match themselves in a LIKE prefix. */
export function likePrefix(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

/** The WHERE of a lead list (on `leads l`) in the active OU: live leads matching the filters. */
export function leadListWhere(q: LeadFilterQueryDto, now: Date): Sql {
  const where: Sql[] = [unitOnly('l'), sql`l.status = 'active'`];
  const range = relativeRange(q.range ?? 'all', now);
  if (range.start) where.push(sql`l.created_at >= ${range.start.toISOString()}`);
  if (range.end) where.push(sql`l.created_at < ${range.end.toISOString()}`);
  // The filters compare the displayed (half-up rounded) score: shown >= n ⇔ raw >= n − 0.5; shown <= n ⇔ raw < n + 0.5.
  if (q.min_score !== undefined) where.push(sql`l.score >= ${q.min_score - 0.5}`);
  if (q.max_score !== undefined) where.push(sql`l.score < ${q.max_score + 0.5}`);
  if (q.event_type) {
    where.push(sql`trim(both '_' from regexp_replace(lower(l.last_event_type), '[^[:alnum:]]+', '_', 'g')) = ${canonicalEventType(q.event_type)}`);
  }
  if (q.last_active && q.last_active !== 'any') {
    const days = q.last_active === '7d' ? 7 : 30;
    // On the plain column (its statistics keep the total's estimate right; a partial expression index has none).
    where.push(sql`l.last_event_at >= ${new Date(now.getTime() - days * DAY).toISOString()}`);
  }
  if (q.search) {
    const p = likePrefix(q.search);
    const lower = likePrefix(q.search.toLowerCase());
    where.push(sql`(l.lead_id LIKE ${p} OR EXISTS (SELECT 1 FROM lead_aliases a WHERE a.lead_ref = l.id AND (a.value LIKE ${p} OR a.value LIKE ${lower})))`);
  }
  // The materialised engagement level (kept with the score by the levels module), by exact name.
  if (q.engagement_level) where.push(sql`l.engagement_level = ${q.engagement_level}`);
  // The materialised profile level (kept with the profile score), by exact name.
  if (q.profile_level) where.push(sql`l.profile_level = ${q.profile_level}`);
  // PRF-9: disqualified leads leave lists and exports unless asked for
  if (!q.include_disqualified) where.push(sql`NOT l.disqualified`);
  return joinSql(where);
}

/** The list's order: the sort key expression, its SQL type (for a keyset) and the direction. */
export function leadListOrder(q: LeadFilterQueryDto): { expr: Sql; cast: Sql; dir: Sql; desc: boolean } {
  const key = SORT_KEYS[q.sort_by ?? 'score'];
  const desc = q.sort_order !== 'asc';
  return { expr: raw(key.expr), cast: raw(key.cast), dir: raw(desc ? 'DESC' : 'ASC'), desc };
}
