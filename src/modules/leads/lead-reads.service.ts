import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AppError } from '../../platform/http/app-error';
import { PageRequest } from '../../platform/http/pagination';
import { tenantKey } from '../../platform/tenancy/tenant-scope';
import { canonicalEventType, rulesetScore, StoredContribution, roundScore, ScoreReader } from '../scoring';
import { LeadFilterQueryDto, LeadListItemDto, LeadSearchItemDto, SortBy } from './http/lead-reads.dto';
import { relativeRange } from '../../platform/http/time-range';

const DAY = 86_400_000;
/**
 * `total`: a short page is its own exact count (offset + rows). Otherwise the filters are counted exactly when the
 * planner expects at most this many matches (a LIMITed index walk); past that an exact count(*) would scan every
 * matching index entry (hundreds of ms for 1M leads), so PostgreSQL's estimate is returned with `total_exact: false`.
 */
export const EXACT_TOTAL_LIMIT = 10_000;

/** Sort keys; each has a partial index `(unit_id, <key> DESC, id DESC) WHERE status = 'active'` (migration 7). */
const SORT_KEYS: Record<SortBy, { expr: string; cast: string }> = {
  score: { expr: 'l.score', cast: 'float8' },
  created_at: { expr: 'l.created_at', cast: 'timestamptz' },
  last_event_at: { expr: `coalesce(l.last_event_at, '-infinity'::timestamptz)`, cast: 'timestamptz' },
};

const ITEM_COLUMNS = `l.id, l.org_id, l.unit_id, l.lead_id, l.score, l.account_id, l.owner_id, l.owner_name, l.last_event_at, l.last_event_type,
  l.event_count, l.created_at, l.updated_at`;
/** The display alias of a lead (first email, else any). */
const ALIAS_EXTRA = `(SELECT a.value FROM lead_aliases a WHERE a.lead_ref = p.id ORDER BY (a.kind <> 'email'), a.created_at, a.value LIMIT 1) AS alias`;
/** Per-row extras of a page: the lead's materialised score per ruleset and its display alias. */
const ITEM_EXTRAS = `(SELECT jsonb_object_agg(s.ruleset_id, s.score) FROM lead_scores s WHERE s.lead_ref = p.id) AS scores, ${ALIAS_EXTRA}`;
/** Leads per export query (keyset chunk). */
const EXPORT_CHUNK = 5000;

interface LeadRow {
  id: string;
  org_id: string;
  unit_id: string;
  lead_id: string;
  score: number;
  account_id: string | null;
  owner_id: string | null;
  owner_name: string | null;
  last_event_at: Date | null;
  last_event_type: string | null;
  event_count: number;
  created_at: Date;
  updated_at: Date;
  scores: Record<string, number> | null;
  alias: string | null;
  k?: string;
}

export interface UnitRulesets {
  primary: { id: string; name: string } | null;
  names: Map<string, string>;
}

export interface ExportRow {
  lead_id: string;
  alias: string;
  engagement_score: number;
  account: string;
  owner: string;
  last_activity: string;
  created_at: string;
}

/** `%`, `_` and `\` match themselves in a LIKE prefix. */
function likePrefix(q: string): string {
  return q.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

/**
 * Lead lists, export, search and batch scores of the active OU, served from the read models (`leads` with its
 * denormalised primary score, `lead_scores`, `lead_aliases`) — never by replaying events. List scores are the
 * materialised ones (as of `lead_scores.computed_at`; decay refreshed hourly); batch and single score reads are
 * exact as of now through the scoring domain.
 */
@Injectable()
export class LeadReadsService {
  constructor(private readonly ds: DataSource, private readonly clock: Clock, private readonly reader: ScoreReader) {}

  async rulesets(unitId: string): Promise<UnitRulesets> {
    const rows: { id: string; name: string; is_primary: boolean }[] = await this.ds.query(
      `SELECT id, name, is_primary FROM rulesets WHERE unit_id = $1 AND dimension = 'engagement' ORDER BY created_at, id`,
      [unitId],
    );
    const primary = rows.find((r) => r.is_primary);
    return { primary: primary ? { id: primary.id, name: primary.name } : null, names: new Map(rows.map((r) => [r.id, r.name])) };
  }

  /** WHERE conditions (on `leads l`) for the list filters; pushes their parameters onto `params` ($1 is the unit). */
  private conditions(q: LeadFilterQueryDto, now: Date, params: unknown[]): string[] {
    const add = (v: unknown) => `$${params.push(v)}`;
    const where = [`l.unit_id = $1`, `l.status = 'active'`];
    const range = relativeRange(q.range ?? 'all', now);
    if (range.start) where.push(`l.created_at >= ${add(range.start.toISOString())}`);
    if (range.end) where.push(`l.created_at < ${add(range.end.toISOString())}`);
    // The filters compare the displayed (half-up rounded) score: shown >= n ⇔ raw >= n − 0.5; shown <= n ⇔ raw < n + 0.5.
    if (q.min_score !== undefined) where.push(`l.score >= ${add(q.min_score - 0.5)}`);
    if (q.max_score !== undefined) where.push(`l.score < ${add(q.max_score + 0.5)}`);
    if (q.event_type) {
      where.push(`trim(both '_' from regexp_replace(lower(l.last_event_type), '[^[:alnum:]]+', '_', 'g')) = ${add(canonicalEventType(q.event_type))}`);
    }
    if (q.last_active && q.last_active !== 'any') {
      const days = q.last_active === '7d' ? 7 : 30;
      // On the plain column (its statistics keep the total's estimate right; a partial expression index has none).
      where.push(`l.last_event_at >= ${add(new Date(now.getTime() - days * DAY).toISOString())}`);
    }
    if (q.search) {
      const p = add(likePrefix(q.search));
      const lower = add(likePrefix(q.search.toLowerCase()));
      where.push(`(l.lead_id LIKE ${p} OR EXISTS (SELECT 1 FROM lead_aliases a WHERE a.lead_ref = l.id AND (a.value LIKE ${p} OR a.value LIKE ${lower})))`);
    }
    // Levels and profile scoring do not exist yet: no lead has a level, so a level filter matches nothing.
    if (q.engagement_level || q.profile_level) where.push('false');
    // include_disqualified: disqualification does not exist yet, so every lead is qualified either way.
    return where;
  }

  private order(q: LeadFilterQueryDto): { key: { expr: string; cast: string }; dir: 'ASC' | 'DESC' } {
    return { key: SORT_KEYS[q.sort_by ?? 'score'], dir: q.sort_order === 'asc' ? 'ASC' : 'DESC' };
  }

  /** One page and its total; the page, the (bounded) count and the OU's rulesets are read concurrently. */
  async list(q: LeadFilterQueryDto, page: PageRequest): Promise<{ leads: LeadListItemDto[]; total: number; total_exact: boolean }> {
    const { unit_id } = tenantKey();
    const now = this.clock.now();
    const params: unknown[] = [unit_id];
    const where = this.conditions(q, now, params).join(' AND ');
    const { key, dir } = this.order(q);
    const [rows, estimate, rulesets] = await Promise.all([
      this.ds.query(
        `SELECT p.*, ${ITEM_EXTRAS} FROM (
           SELECT ${ITEM_COLUMNS}, ${key.expr} AS sort_key FROM leads l WHERE ${where}
            ORDER BY ${key.expr} ${dir}, l.id ${dir} LIMIT ${page.limit} OFFSET ${page.offset}) p
          ORDER BY p.sort_key ${dir}, p.id ${dir}`,
        params,
      ) as Promise<LeadRow[]>,
      this.estimate(where, params),
      this.rulesets(unit_id),
    ]);
    const leads = rows.map((r) => this.item(r, rulesets));
    if (rows.length < page.limit && (rows.length > 0 || page.offset === 0)) return { leads, total: page.offset + rows.length, total_exact: true };
    if (estimate <= EXACT_TOTAL_LIMIT) {
      const [{ n }] = await this.ds.query(`SELECT count(*)::int AS n FROM (SELECT 1 FROM leads l WHERE ${where} LIMIT ${EXACT_TOTAL_LIMIT + 1}) x`, params);
      if (n <= EXACT_TOTAL_LIMIT) return { leads, total: n, total_exact: true };
    }
    // Never below what is certainly there: every row up to the end of this page (and one more, the page being full).
    return { leads, total: Math.max(estimate, page.offset + rows.length + 1), total_exact: false };
  }

  /** PostgreSQL's estimate of the leads matching `where` (planning only, no execution). */
  private async estimate(where: string, params: unknown[]): Promise<number> {
    const [row] = await this.ds.query(`EXPLAIN (FORMAT JSON) SELECT 1 FROM leads l WHERE ${where}`, params);
    const plan = row['QUERY PLAN'];
    return Math.round(Number((typeof plan === 'string' ? JSON.parse(plan) : plan)[0]?.Plan?.['Plan Rows'] ?? 0));
  }

  private item(r: LeadRow, rs: UnitRulesets): LeadListItemDto {
    const engagement: Record<string, number> = {};
    const names: Record<string, string> = {};
    for (const [id, score] of Object.entries(r.scores ?? {})) {
      const name = rs.names.get(id);
      if (name === undefined) continue; // a deleted ruleset's score is kept but no longer shown
      engagement[id] = roundScore(Number(score));
      names[id] = name;
    }
    if (rs.primary) names[rs.primary.id] = rs.primary.name;
    return {
      org_id: r.org_id,
      unit_id: r.unit_id,
      lead_id: r.lead_id,
      alias: r.alias,
      score: roundScore(Number(r.score)),
      ruleset_id: rs.primary?.id ?? null,
      engagement_scores: engagement,
      profile_scores: {},
      ruleset_names: names,
      engagement_primary_ruleset_name: rs.primary?.name ?? null,
      profile_primary_ruleset_name: null,
      engagement_level: null,
      profile_level: null,
      disqualified: false,
      account_id: r.account_id,
      owner_id: r.owner_id,
      owner_name: r.owner_name,
      last_event_at: r.last_event_at ? new Date(r.last_event_at).toISOString() : null,
      last_event_type: r.last_event_type,
      event_count: r.event_count,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    };
  }

  /**
   * Every lead matching the filters, in the list's order, in chunks by keyset (no OFFSET), from one REPEATABLE READ
   * snapshot (a lead updated mid-export can neither appear twice nor vanish). The next chunk is fetched while the
   * caller writes the current one.
   */
  async *export(q: LeadFilterQueryDto, chunk = EXPORT_CHUNK): AsyncGenerator<ExportRow[]> {
    const { unit_id } = tenantKey();
    const now = this.clock.now();
    const params: unknown[] = [unit_id];
    const where = this.conditions(q, now, params);
    const { key, dir } = this.order(q);
    const cmp = dir === 'DESC' ? '<' : '>';
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      // Chunk queries are costed above jit_above_cost; compiling them would add ~100 ms each for nothing.
      await runner.query(`SET LOCAL jit = off`);
      const fetch = (after: { k: string; id: string } | null): Promise<LeadRow[]> => {
        const p = [...params];
        const keyset: string = after ? ` AND (${key.expr}, l.id) ${cmp} ($${p.push(after.k)}::${key.cast}, $${p.push(after.id)})` : '';
        return runner.query(
          `SELECT p.*, ${ALIAS_EXTRA} FROM (
             SELECT ${ITEM_COLUMNS}, ${key.expr} AS sort_key, (${key.expr})::text AS k FROM leads l WHERE ${where.join(' AND ')}${keyset}
              ORDER BY ${key.expr} ${dir}, l.id ${dir} LIMIT ${chunk}) p
            ORDER BY p.sort_key ${dir}, p.id ${dir}`,
          p,
        );
      };
      let rows = await fetch(null);
      for (;;) {
        const last = rows[rows.length - 1];
        const next = rows.length === chunk ? fetch({ k: last.k!, id: last.id }) : null;
        next?.catch(() => undefined); // awaited below; a failure surfaces there
        if (rows.length) {
          yield rows.map((r) => ({
            lead_id: r.lead_id,
            alias: r.alias ?? '',
            engagement_score: roundScore(Number(r.score)),
            account: r.account_id ?? '',
            owner: r.owner_name ?? r.owner_id ?? '',
            last_activity: r.last_event_at ? new Date(r.last_event_at).toISOString() : '',
            created_at: new Date(r.created_at).toISOString(),
          }));
        }
        if (!next) break;
        rows = await next;
      }
      await runner.commitTransaction();
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  /** LEAD-11: at most 10 leads whose id starts with `q` (first) or with an alias value starting with `q`. */
  async search(q: string): Promise<LeadSearchItemDto[]> {
    const { unit_id } = tenantKey();
    const variants = [...new Set([q, q.toLowerCase()])].map(likePrefix);
    const rows: (LeadRow & { matched: string | null; rank: number })[] = await this.ds.query(
      `WITH hits AS (
         (SELECT l.id, NULL::text AS matched, 0 AS rank, l.lead_id AS sort FROM leads l
           WHERE l.unit_id = $1 AND l.status = 'active' AND l.lead_id LIKE $2 ORDER BY l.lead_id LIMIT 10)
         ${variants
           .map(
             (_, i) => `UNION ALL
         (SELECT a.lead_ref, a.value, 1, a.value FROM lead_aliases a WHERE a.unit_id = $1 AND a.value LIKE $${i + 2} ORDER BY a.value LIMIT 10)`,
           )
           .join('\n')}
       ), best AS (
         SELECT DISTINCT ON (h.id) h.id, h.matched, h.rank, h.sort FROM hits h ORDER BY h.id, h.rank, h.sort
       )
       SELECT p.*, b.matched, b.rank, ${ITEM_EXTRAS}
         FROM best b JOIN LATERAL (SELECT ${ITEM_COLUMNS} FROM leads l WHERE l.id = b.id AND l.status = 'active') p ON true
        ORDER BY b.rank, b.sort, p.lead_id LIMIT 10`,
      [unit_id, ...variants],
    );
    return rows.map((r) => ({
      lead_id: r.lead_id,
      alias: r.alias,
      matched_alias: r.matched,
      score: roundScore(Number(r.score)),
      last_event_at: r.last_event_at ? new Date(r.last_event_at).toISOString() : null,
      created_at: new Date(r.created_at).toISOString(),
    }));
  }

  /**
   * LEAD-16: exact scores (as of now, through the scoring domain) of the active OU's leads among `leadIds`, in
   * request order, for the primary engagement ruleset (or the named one). Ids that name no lead of the active OU
   * are left out. Three queries whatever the number of leads.
   */
  async batchScores(leadIds: string[], ruleset = 'primary'): Promise<{ lead_id: string; score: number; ruleset_id: string | null }[]> {
    const { org_id, unit_id } = tenantKey();
    const wanted = [...new Set(leadIds)];
    const rulesets = await this.rulesets(unit_id);
    let target: string | null;
    if (ruleset === 'primary') target = rulesets.primary?.id ?? null;
    else {
      target = rulesets.names.has(ruleset) ? ruleset : ([...rulesets.names].find(([, name]) => name === ruleset)?.[0] ?? null);
      if (!target) throw AppError.notFound('ruleset', 'ruleset_not_found');
    }
    const [leads, contributions, allowNegative]: [{ id: string; lead_id: string; score_reset_at: Date | null }[], (StoredContribution & { lead_ref: string })[], boolean] =
      await Promise.all([
        this.ds.query(`SELECT id, lead_id, score_reset_at FROM leads WHERE unit_id = $1 AND lead_id = ANY($2::text[]) AND status = 'active'`, [unit_id, wanted]),
        target
          ? this.ds.query(
              `SELECT s.lead_ref, s.occurred_at, s.base_points, s.multiplier, s.half_life_days FROM event_scores s JOIN leads l ON l.id = s.lead_ref
                WHERE l.unit_id = $1 AND l.lead_id = ANY($2::text[]) AND l.status = 'active' AND s.ruleset_id = $3`,
              [unit_id, wanted, target],
            )
          : Promise.resolve([]),
        this.reader.allowNegative(org_id),
      ]);
    const byLead = new Map<string, StoredContribution[]>();
    for (const c of contributions) {
      const list = byLead.get(c.lead_ref) ?? [];
      list.push({ occurred_at: new Date(c.occurred_at), base_points: Number(c.base_points), multiplier: Number(c.multiplier), half_life_days: c.half_life_days });
      byLead.set(c.lead_ref, list);
    }
    const now = this.clock.now();
    const byPublicId = new Map(leads.map((l) => [l.lead_id, l]));
    return wanted.flatMap((id) => {
      const lead = byPublicId.get(id);
      if (!lead) return [];
      const score = target
        ? rulesetScore(byLead.get(lead.id) ?? [], now, { allowNegative, resetAt: lead.score_reset_at ? new Date(lead.score_reset_at) : null })
        : 0;
      return [{ lead_id: id, score: roundScore(score), ruleset_id: target }];
    });
  }
}
