/**
 * Plain-text output of `npm run admin`: aligned tables and `key: value` blocks. Cells hold what
 * clients sent (user agents, names, audit details): their control characters print escaped
 * (`\u001b`: src/untrusted-text.ts), so a row cannot drive the operator's terminal.
 */
import { escapeControls } from '../../src/untrusted-text.ts';

export interface Column<T> {
  header: string;
  value(row: T): string | number | null | undefined;
  /** Cut longer cells to this many characters (user agents, ids). */
  max?: number;
}

function cell(value: string | number | null | undefined, max = 60): string {
  const text = value === null || value === undefined || value === '' ? '-' : String(value);
  return escapeControls(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}

/** An aligned table with a header row and a rule; `(none)` for no rows. */
export function formatTable<T>(columns: Column<T>[], rows: T[]): string {
  if (rows.length === 0) return '(none)';
  const cells = rows.map((row) => columns.map((c) => cell(c.value(row), c.max)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** `key: value` lines, the keys aligned. */
export function formatFields(fields: Array<[string, string | number | null | undefined]>): string {
  const width = Math.max(...fields.map(([key]) => key.length));
  return fields.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${cell(value, 200)}`).join('\n');
}

/** A time (as the schema maps it) as ISO 8601 (JSON output), or null. */
export function isoTime(time: Date | null | undefined): string | null {
  return time === null || time === undefined ? null : time.toISOString();
}

/** A time for a table: ISO 8601 to the second, UTC. */
export function shortTime(time: Date | null | undefined): string | null {
  return isoTime(time)?.replace(/\.\d{3}Z$/, 'Z') ?? null;
}
