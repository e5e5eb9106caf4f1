/**
 * A drizzle statement with its parameters written in as SQL literals, for `wrangler d1 execute
 * --command`, which binds none. Each `?` placeholder outside a quoted string or identifier becomes
 * the literal of its value:
 *
 *   number  digits; a safe integer only (every number the schema stores is one)
 *   boolean 1 or 0
 *   null    NULL
 *   string  'text' with its single quotes doubled; text holding `;` (on which the command is split
 *           into statements) or a control character as `CAST(X'…' AS TEXT)`, its UTF-8 bytes in hex,
 *           so a user's name read from D1 is copied as it is. Refused: NUL, and a lone surrogate
 *           (neither survives the command line).
 *
 * Strings an operator types are validated before they get here (values.ts); this quoting holds for
 * any string all the same (test/e2e/admin-statements.test.ts tries arbitrary ones against SQLite).
 */

/** The SQL and parameters of a built statement (drizzle's `toSQL()`, or a prepared query's `getQuery()`). */
export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

export class InlineError extends TypeError {
  override name = 'InlineError';
}

/** `query` as one SQL text without placeholders. */
export function inline(query: BuiltQuery): string {
  let text = '';
  let quote: string | null = null;
  let used = 0;
  for (const char of query.sql) {
    if (quote !== null) {
      // A doubled quote inside closes and reopens: the same text.
      if (char === quote) quote = null;
      text += char;
    } else if (char === "'" || char === '"' || char === '`') {
      quote = char;
      text += char;
    } else if (char === '?') {
      if (used >= query.params.length) throw new InlineError(`more placeholders than parameters in: ${query.sql}`);
      text += literal(query.params[used++]);
    } else {
      text += char;
    }
  }
  if (quote !== null) throw new InlineError(`an unclosed ${quote} in: ${query.sql}`);
  if (used !== query.params.length) throw new InlineError(`more parameters than placeholders in: ${query.sql}`);
  return text;
}

// Printable text without `;`: quoted as it is (readable in wrangler's errors).
const PLAIN = /^[^\p{Cc};]*$/u;

/** One value as a SQL literal. */
export function literal(value: unknown): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new InlineError(`not an integer SQL can take as it is: ${value}`);
    return String(value);
  }
  if (typeof value === 'bigint') return String(value);
  if (typeof value !== 'string') throw new InlineError(`not a value for SQL: ${typeof value}`);
  if (value.includes('\0')) throw new InlineError(`refusing a NUL character in ${JSON.stringify(value)}`);
  if (!value.isWellFormed()) throw new InlineError(`refusing a lone surrogate in ${JSON.stringify(value)}`);
  if (PLAIN.test(value)) return `'${value.replaceAll("'", "''")}'`;
  return `CAST(X'${hex(value)}' AS TEXT)`;
}

// No Buffer: the workerd tests run the commands too (test/support/admin.ts).
function hex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
