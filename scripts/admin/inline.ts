/**
 * A drizzle statement with its parameters written in as SQL literals, for `wrangler d1 execute
 * --command`, which binds none. Each `?` placeholder outside a quoted string or identifier becomes
 * the literal of its value:
 *
 *   number  digits (a negative one in parentheses); a safe integer only (every number the schema
 *           stores is one)
 *   boolean 1 or 0
 *   null    NULL
 *   string  'text' with its single quotes doubled; text holding `;` (on which the command is split
 *           into statements) or a control character as `CAST(X'…' AS TEXT)`, its UTF-8 bytes in hex,
 *           so a user's name read from D1 is copied as it is. Refused: NUL, and a lone surrogate
 *           (neither survives the command line).
 *
 * The SQL around the placeholders is drizzle's, and only that: see `inline` for what it refuses.
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

/**
 * `query` as one SQL text without placeholders. Refused outside quotes, where the text could mean
 * more than the one statement drizzle built: `;` (wrangler splits its command on it), a comment
 * (it could hide a placeholder), a numbered placeholder (`?1`: the parameters are used in order).
 */
export function inline(query: BuiltQuery): string {
  const { sql } = query;
  let text = '';
  let close: string | null = null;
  let used = 0;
  for (let i = 0; i < sql.length; i++) {
    const char = sql[i] as string;
    if (close !== null) {
      // A doubled quote inside closes and reopens: the same text.
      if (char === close) close = null;
      text += char;
    } else if (char === "'" || char === '"' || char === '`' || char === '[') {
      close = char === '[' ? ']' : char;
      text += char;
    } else if (char === ';') {
      throw new InlineError(`refusing a ';' (wrangler splits the command on it) in: ${sql}`);
    } else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) {
      throw new InlineError(`refusing a comment in: ${sql}`);
    } else if (char === '?') {
      if (/[0-9]/.test(sql[i + 1] ?? '')) throw new InlineError(`refusing a numbered placeholder in: ${sql}`);
      if (used >= query.params.length) throw new InlineError(`more placeholders than parameters in: ${sql}`);
      text += literal(query.params[used++]);
    } else {
      text += char;
    }
  }
  if (close !== null) throw new InlineError(`an unclosed ${close === ']' ? '[' : close} in: ${sql}`);
  if (used !== query.params.length) throw new InlineError(`more parameters than placeholders in: ${sql}`);
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
    return digits(value);
  }
  if (typeof value === 'bigint') return digits(value);
  if (typeof value !== 'string') throw new InlineError(`not a value for SQL: ${typeof value}`);
  if (value.includes('\0')) throw new InlineError(`refusing a NUL character in ${JSON.stringify(value)}`);
  if (!value.isWellFormed()) throw new InlineError(`refusing a lone surrogate in ${JSON.stringify(value)}`);
  if (PLAIN.test(value)) return `'${value.replaceAll("'", "''")}'`;
  return `CAST(X'${hex(value)}' AS TEXT)`;
}

// A negative number in parentheses: `x -?` must not become the comment `x --1`.
function digits(value: number | bigint): string {
  return value < 0 ? `(${value})` : String(value);
}

// No Buffer: the workerd tests run the commands too (test/support/admin.ts).
function hex(text: string): string {
  return Array.from(new TextEncoder().encode(text), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
