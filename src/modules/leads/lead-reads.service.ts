import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Clock } from '../../platform/clock';
import { boundedTotal, estimateRows, raw, selectOne, selectRows, sql } from '../../platform/database';
import { PageRequest } from '../../platform/http';
import { RequestContext, unitOnly } from '../../platform/tenancy';
import { LeadFilterQueryDto, LeadListItemDto, LeadSearchItemDto } from './http/lead-reads.dto';
import { ACCOUNT_EXTRA, ALIAS_EXTRA, ITEM_COLUMNS, ITEM_EXTRAS, leadListOrder, leadListWhere, likePrefix } from './reads/lead-list-filters';
import { ExportRow, LeadListRow, toExportRow, toLeadListItemView, toLeadSearchItemView } from './reads/lead-list-row';
import { unitRulesets } from './reads/unit-rulesets';

/** `total`: `boundedTotal` of the platform (exact up to EXACT_TOTAL_LIMIT matches, else the planner's estimate). */
export { EXACT_TOTAL_LIMIT } from '../../platform/database';
/** Leads per export query (keyset chunk). */
const EXPORT_CHUNK = 5000;

export type { ExportRow };

/**
 * Lead lists, export and search of the active OU, served from the read models (`leads` with its denormalised
 * primary score, `lead_scores`, `lead_aliases`) — never by replaying events. List scores are the materialised
 * ones (as of `lead_scores.computed_at`; decay refreshed hourly).
 */
@Injectable()
export class LeadReadsService {
  constructor(
    private readonly ds: DataSource,
    private readonly clock: Clock,
  ) {}

  /** One page and its total; the page, the (bounded) count and the OU's rulesets are read concurrently. */
  async list(q: LeadFilterQueryDto, page: PageRequest): Promise<{ leads: LeadListItemDto[]; total: number; total_exact: boolean }> {
    const where = leadListWhere(q, this.clock.now());
    const { expr, dir } = leadListOrder(q);
    const [rows, estimate, rulesets] = await Promise.all([
      selectRows<LeadListRow>(
        this.ds,
        sql`SELECT p.*, ${ITEM_EXTRAS} FROM (
              SELECT ${ITEM_COLUMNS}, ${expr} AS sort_key FROM leads l WHERE ${where}
               ORDER BY ${expr} ${dir}, l.id ${dir} LIMIT ${raw(String(page.limit))} OFFSET ${raw(String(page.offset))}) p
             ORDER BY p.sort_key ${dir}, p.id ${dir}`,
      ),
      estimateRows(this.ds, sql`leads l WHERE ${where}`),
      unitRulesets(this.ds, RequestContext.unitId()),
    ]);
    const leads = rows.map((r) => toLeadListItemView(r, rulesets));
    return { leads, ...(await boundedTotal(this.ds, sql`leads l WHERE ${where}`, page, rows.length, estimate)) };
  }

  /** A lead's fit columns (profile score and level, disqualification). */
  async fitState(leadRef: string): Promise<Pick<LeadListRow, 'profile_score' | 'profile_level' | 'disqualified' | 'disqualified_at' | 'disqualification'>> {
    return (await selectOne<Pick<LeadListRow, 'profile_score' | 'profile_level' | 'disqualified' | 'disqualified_at' | 'disqualification'>>(
      this.ds,
      sql`SELECT profile_score, profile_level, disqualified, disqualified_at, disqualification FROM leads WHERE id = ${leadRef}`,
    ))!;
  }

  /**
   * Every lead matching the filters, in the list's order, in chunks by keyset (no OFFSET), from one REPEATABLE READ
   * snapshot (a lead updated mid-export can neither appear twice nor vanish). The next chunk is fetched while the
   * caller writes the current one.
   */
  async *export(q: LeadFilterQueryDto, chunk = EXPORT_CHUNK): AsyncGenerator<ExportRow[]> {
    const where = leadListWhere(q, this.clock.now());
    const { expr, cast, dir, desc } = leadListOrder(q);
    const cmp = raw(desc ? '<' : '>');
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      // Chunk queries are costed above jit_above_cost; compiling them would add ~100 ms each for nothing.
      await runner.query(`SET LOCAL jit = off`);
      const fetch = (after: { k: string; id: string } | null): Promise<LeadListRow[]> => {
        const keyset = after ? sql` AND (${expr}, l.id) ${cmp} (${after.k}::${cast}, ${after.id})` : raw('');
        return selectRows<LeadListRow>(
          runner,
          sql`SELECT p.*, ${ALIAS_EXTRA}, ${ACCOUNT_EXTRA} FROM (
                SELECT ${ITEM_COLUMNS}, ${expr} AS sort_key, (${expr})::text AS k FROM leads l WHERE ${where}${keyset}
                 ORDER BY ${expr} ${dir}, l.id ${dir} LIMIT ${raw(String(chunk))}) p
               ORDER BY p.sort_key ${dir}, p.id ${dir}`,
        );
      };
      let rows = await fetch(null);
      for (;;) {
        const last = rows[rows.length - 1];
        const next = rows.length === chunk ? fetch({ k: last.k!, id: last.id }) : null;
        next?.catch(() => undefined); // awaited below; a failure surfaces there
        if (rows.length) yield rows.map(toExportRow);
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
    const variants = [...new Set([q, q.toLowerCase()])].map(likePrefix);
    const aliasHits = variants.map(
      (v) => sql`UNION ALL
         (SELECT a.lead_ref, a.value, 1, a.value FROM lead_aliases a WHERE ${unitOnly('a')} AND a.value LIKE ${v} ORDER BY a.value LIMIT 10)`,
    );
    const rows = await selectRows<LeadListRow & { matched: string | null; rank: number }>(
      this.ds,
      sql`WITH hits AS (
         (SELECT l.id, NULL::text AS matched, 0 AS rank, l.lead_id AS sort FROM leads l
           WHERE ${unitOnly('l')} AND l.status = 'active' AND l.lead_id LIKE ${variants[0]} ORDER BY l.lead_id LIMIT 10)
         ${aliasHits.reduce((a, b) => sql`${a}\n${b}`, raw(''))}
       ), best AS (
         SELECT DISTINCT ON (h.id) h.id, h.matched, h.rank, h.sort FROM hits h ORDER BY h.id, h.rank, h.sort
       )
       SELECT p.*, b.matched, b.rank, ${ITEM_EXTRAS}
         FROM best b JOIN LATERAL (SELECT ${ITEM_COLUMNS} FROM leads l WHERE l.id = b.id AND l.status = 'active') p ON true
        ORDER BY b.rank, b.sort, p.lead_id LIMIT 10`,
    );
    return rows.map(toLeadSearchItemView);
  }
}
