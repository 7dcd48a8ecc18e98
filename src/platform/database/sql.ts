/**
 * Parameterised SQL built from template literals, so values never meet the SQL text and fragments compose
 * (a tenant scope, an optional filter, a list of conditions) without hand-numbered `$n` placeholders.
 *
 *   const q = sql`SELECT lead_id FROM leads WHERE ${unitScope()} AND lead_id = ${leadId}`;
 *   const rows = await selectRows<{ lead_id: string }>(dataSource, q);
 *
 * A `${value}` becomes the next `$n`; a `${fragment}` (another `sql`…`) is spliced in with its own values
 * renumbered; `raw(text)` splices trusted text (identifiers chosen by the code, never by the caller).
 */
export class Sql {
  constructor(
    private readonly parts: readonly string[],
    private readonly params: readonly unknown[],
  ) {}

  /** The statement with `$1…$n` placeholders and its values, in the shape `pg` and TypeORM's `query` take. */
  compile(): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const text = this.render(values);
    return { text, values };
  }

  get text(): string {
    return this.compile().text;
  }

  get values(): unknown[] {
    return this.compile().values;
  }

  private render(values: unknown[]): string {
    let text = this.parts[0];
    for (let i = 0; i < this.params.length; i++) {
      const p = this.params[i];
      if (p instanceof Sql) text += p.render(values);
      else {
        values.push(p);
        text += `$${values.length}`;
      }
      text += this.parts[i + 1];
    }
    return text;
  }
}

export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql(strings, values);
}

/** Trusted SQL text (a column or table name the code picked), spliced without a parameter. */
export function raw(text: string): Sql {
  return new Sql([text], []);
}

export const EMPTY_SQL = raw('');

/** `a AND b AND c` (or another separator) of the given fragments; `whenEmpty` when there are none. */
export function joinSql(fragments: readonly Sql[], separator = ' AND ', whenEmpty: Sql = raw('TRUE')): Sql {
  if (fragments.length === 0) return whenEmpty;
  const parts = [''];
  for (let i = 1; i < fragments.length; i++) parts.push(separator);
  parts.push('');
  return new Sql(parts, fragments);
}

/** Anything with TypeORM's / pg's `query(text, values)`: a DataSource, an EntityManager, a QueryRunner. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** Rows of a SELECT (or of a statement with RETURNING run through a DataSource or EntityManager). */
export async function selectRows<Row>(db: Queryable, q: Sql): Promise<Row[]> {
  const { text, values } = q.compile();
  return (await db.query(text, values)) as Row[];
}

/** The first row of a SELECT, or undefined. */
export async function selectOne<Row>(db: Queryable, q: Sql): Promise<Row | undefined> {
  return (await selectRows<Row>(db, q))[0];
}

/**
 * Runs an UPDATE/DELETE/INSERT. TypeORM answers `[rows, affected]` for UPDATE and DELETE; this returns the
 * affected row count either way.
 */
export async function execute(db: Queryable, q: Sql): Promise<number> {
  const { text, values } = q.compile();
  const result = (await db.query(text, values)) as unknown;
  if (Array.isArray(result) && result.length === 2 && typeof result[1] === 'number') return result[1];
  return Array.isArray(result) ? result.length : 0;
}
