import { getTableColumns, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

/** A FROM with one row and no columns, for `INSERT … SELECT <constants> WHERE …`. */
export const ONE_ROW = sql`(SELECT 1)`;

/**
 * The WHERE of a row written only when the batch's previous statement changed a row: `changes()`
 * counts the rows the previous statement on this connection touched (a D1 batch is one).
 */
export const PREVIOUS_CHANGED = sql`changes() > 0`;

type RowValues<T extends SQLiteTable> = {
  [K in keyof T['$inferInsert']]: T['$inferInsert'][K] | SQLWrapper;
};

/**
 * The select list of `INSERT INTO table SELECT …`: every column of `table`,
 * in its order (drizzle's `insert().select()` requires exactly that), each a
 * constant (converted as the column stores it, e.g. a Date as epoch ms) or an
 * expression (a column of the FROM, a subquery). A column left out takes its
 * default, or NULL, as in `insert().values()`: a new nullable or defaulted
 * column needs no edit here (nor in `npm run admin`, which builds its rows so).
 *
 * @example db.insert(users).select(db.select(selectRow(users, {...})).from(ONE_ROW).where(notExists(owner)))
 */
export function selectRow<T extends SQLiteTable>(
  table: T,
  values: RowValues<T>,
): { [K in keyof T['$inferSelect']]: SQL.Aliased } {
  const fields: Record<string, SQL.Aliased> = {};
  for (const [key, column] of Object.entries(getTableColumns(table)) as Array<[string, SQLiteColumn]>) {
    const given = (values as Record<string, unknown>)[key];
    const value = given === undefined ? defaultOf(column) : given;
    const expression = value === null || isWrapper(value) ? sql`${value}` : sql`${column.mapToDriverValue(value)}`;
    fields[key] = expression.as(column.name);
  }
  return fields as { [K in keyof T['$inferSelect']]: SQL.Aliased };
}

/** What drizzle's insert().values() writes for a column left out: its default, its defaultFn's, or NULL. */
function defaultOf(column: SQLiteColumn): unknown {
  if (column.default !== undefined && column.default !== null) return column.default;
  return column.defaultFn?.() ?? null;
}

function isWrapper(value: unknown): value is SQLWrapper {
  return typeof value === 'object' && value !== null && 'getSQL' in value;
}
