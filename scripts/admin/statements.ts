/**
 * How `npm run admin` builds a D1 batch: drizzle's query builders over src/db/schema.ts (the
 * Worker's tables, so a statement naming a column the schema lacks does not compile), each
 * statement inlined for wrangler (inline.ts), and the rows wrangler gives back mapped the way
 * drizzle maps its own results (column types: timestamps as Date, booleans), into the types the
 * builders declare.
 */
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { type BuiltQuery, inline } from './inline.ts';
import type { Batch, Row, Rows } from './rows.ts';

/** The drizzle client the statements are built with. It never runs one: wrangler does (wrangler.ts). */
export const build = drizzle(async () => {
  throw new Error('npm run admin runs its statements as one batch through wrangler (scripts/admin/wrangler.ts)');
});

/** What batchOf needs of a built statement: drizzle's prepared query, which maps a result without running. */
interface Prepared {
  getQuery(): BuiltQuery;
  mapResult(response: unknown, isFromBatch?: boolean): unknown;
}

export type Statement = BatchItem<'sqlite'> & { prepare(): Prepared };

/**
 * One D1 batch of these statements, read by `read` from their results, each typed as drizzle types
 * the statement's result (rows of its select list or RETURNING clause).
 *
 * @example batchOf([build.select().from(users).where(eq(users.id, id))], ([found]) => found[0])
 */
export function batchOf<const Q extends readonly Statement[], T>(
  statements: Q,
  read: (results: BatchResponse<Q>) => T,
): Batch<T> {
  const prepared = statements.map((statement) => statement.prepare());
  return {
    statements: prepared.map((query) => inline(query.getQuery())),
    read: (results) =>
      read(
        prepared.map((query, i) =>
          query.mapResult({ rows: positional(query, results[i] ?? []) }, true),
        ) as BatchResponse<Q>,
      ),
  };
}

/**
 * D1 gives rows as objects keyed by column name, in select-list order; drizzle maps arrays in that
 * order. A name twice in one select list would lose a value: refused, not guessed.
 */
function positional(query: Prepared, rows: Rows): unknown[] {
  // drizzle keeps the select list of a query it will map in `fields` (none: a statement without rows).
  const width = (query as { fields?: readonly unknown[] }).fields?.length;
  if (width === undefined) return rows;
  return rows.map((row: Row) => {
    const values = Object.values(row);
    if (values.length !== width) {
      throw new Error(`${values.length} columns for ${width} selected (a column name twice?): ${query.getQuery().sql}`);
    }
    return values;
  });
}

/** The inlined text of statements built elsewhere (src/users/user-copy.ts), whose results nobody reads. */
export function statementsOf(items: readonly BatchItem<'sqlite'>[]): string[] {
  return items.map((item) => {
    const { prepare } = item as Partial<Statement>;
    if (typeof prepare !== 'function') throw new TypeError('not a drizzle statement');
    return inline(prepare.call(item).getQuery());
  });
}
