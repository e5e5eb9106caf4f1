import { getTableColumns, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

/** A FROM with one row and no columns, for `INSERT … SELECT <constants> WHERE …`. */
export const ONE_ROW = sql`(SELECT 1)`;

type RowValues<T extends SQLiteTable> = {
  [K in keyof T['$inferSelect']]-?: T['$inferSelect'][K] | SQLWrapper;
};

/**
 * The select list of `INSERT INTO table SELECT …`: every column of `table`,
 * in its order (drizzle's `insert().select()` requires exactly that), each a
 * constant (converted as the column stores it, e.g. a Date as epoch ms) or an
 * expression (a column of the FROM, a subquery).
 *
 * @example db.insert(users).select(db.select(selectRow(users, {...})).from(ONE_ROW).where(notExists(owner)))
 */
export function selectRow<T extends SQLiteTable>(
  table: T,
  values: RowValues<T>,
): { [K in keyof T['$inferSelect']]: SQL.Aliased } {
  const fields: Record<string, SQL.Aliased> = {};
  for (const [key, column] of Object.entries(getTableColumns(table)) as Array<[string, SQLiteColumn]>) {
    const value = (values as Record<string, unknown>)[key];
    const expression = value === null || isWrapper(value) ? sql`${value}` : sql`${column.mapToDriverValue(value)}`;
    fields[key] = expression.as(column.name);
  }
  return fields as { [K in keyof T['$inferSelect']]: SQL.Aliased };
}

function isWrapper(value: unknown): value is SQLWrapper {
  return typeof value === 'object' && value !== null && 'getSQL' in value;
}
