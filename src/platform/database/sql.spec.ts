import { execute, joinSql, raw, selectRows, sql } from './sql';

describe('sql', () => {
  it('numbers values in order and splices fragments with their own values renumbered', () => {
    const scope = sql`org_id = ${'o1'} AND unit_id = ${'u1'}`;
    const q = sql`SELECT * FROM leads WHERE ${scope} AND lead_id = ${'L'} AND score > ${3}`;
    expect(q.compile()).toEqual({
      text: 'SELECT * FROM leads WHERE org_id = $1 AND unit_id = $2 AND lead_id = $3 AND score > $4',
      values: ['o1', 'u1', 'L', 3],
    });
  });

  it('joins conditions, TRUE when there are none, and splices raw text without a parameter', () => {
    expect(joinSql([sql`a = ${1}`, sql`b = ${2}`], ' OR ').compile()).toEqual({ text: 'a = $1 OR b = $2', values: [1, 2] });
    expect(joinSql([]).compile()).toEqual({ text: 'TRUE', values: [] });
    expect(sql`SELECT ${raw('x.col')} FROM t WHERE v = ${null}`.compile()).toEqual({ text: 'SELECT x.col FROM t WHERE v = $1', values: [null] });
  });

  it('runs through any queryable and counts affected rows of TypeORM [rows, count] answers', async () => {
    const seen: unknown[] = [];
    const db = { query: async (text: string, values?: unknown[]) => (seen.push([text, values]), text.startsWith('UPDATE') ? [[], 7] : [{ a: 1 }]) };
    expect(await selectRows(db, sql`SELECT ${1}`)).toEqual([{ a: 1 }]);
    expect(await execute(db, sql`UPDATE t SET a = ${2}`)).toBe(7);
    expect(seen).toEqual([
      ['SELECT $1', [1]],
      ['UPDATE t SET a = $1', [2]],
    ]);
  });
});
