import { raw, Queryable, selectOne, Sql, sql } from './sql';

/**
 * A list's `total` without scanning every match: a short page is its own exact count (offset + rows); otherwise the
 * matches are counted exactly when the planner expects at most this many (a LIMITed walk); past that an exact
 * count(*) would read every matching row (hundreds of ms at 100,000s of rows), so PostgreSQL's estimate is returned
 * with `total_exact: false`.
 */
export const EXACT_TOTAL_LIMIT = 10_000;

/** PostgreSQL's estimate of the rows of `from` (`<table> <alias> WHERE …`): planning only, no execution. */
export async function estimateRows(db: Queryable, from: Sql): Promise<number> {
  const row = await selectOne<Record<string, unknown>>(db, sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${from}`);
  const plan = row!['QUERY PLAN'] as string | { Plan?: { 'Plan Rows'?: number } }[];
  return Math.round(Number((typeof plan === 'string' ? JSON.parse(plan) : plan)[0]?.Plan?.['Plan Rows'] ?? 0));
}

/**
 * The total of a page of `rowsOnPage` rows read at `page` from `from`, given the planner's `estimate` (read
 * concurrently with the page by the caller).
 */
export async function boundedTotal(
  db: Queryable,
  from: Sql,
  page: { limit: number; offset: number },
  rowsOnPage: number,
  estimate: number,
): Promise<{ total: number; total_exact: boolean }> {
  if (rowsOnPage < page.limit && (rowsOnPage > 0 || page.offset === 0)) return { total: page.offset + rowsOnPage, total_exact: true };
  if (estimate <= EXACT_TOTAL_LIMIT) {
    const { n } = (await selectOne<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${from} LIMIT ${raw(String(EXACT_TOTAL_LIMIT + 1))}) x`,
    ))!;
    if (n <= EXACT_TOTAL_LIMIT) return { total: n, total_exact: true };
  }
  // never below what is certainly there: every row up to the end of this page (and one more, the page being full)
  return { total: Math.max(estimate, page.offset + rowsOnPage + 1), total_exact: false };
}
