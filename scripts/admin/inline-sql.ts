/**
 * A drizzle query as one SQL statement for `wrangler d1 execute --command`, whose CLI has no bind
 * parameters: `toSQL()`'s `?` placeholders are replaced by their parameters as SQL literals. Only
 * values drizzle hands a driver can appear (its `params`, already mapped by each column: a Date as
 * epoch ms, a boolean as 0/1, JSON as text), and each becomes a literal that cannot end a string
 * or a statement: text as a quoted literal when it is plain printable ASCII without `'` or `;`,
 * else as `CAST(X'<utf-8 hex>' AS TEXT)`; numbers as digits; bytes as `X'…'`; null as NULL.
 * Anything else throws. No imports: the admin's commands run in workerd tests too.
 *
 * @example inlineSql(db.select().from(serviceClients).where(eq(serviceClients.id, id)))
 */

export interface SqlQuery {
  sql: string;
  params: unknown[];
}

const PLAIN_TEXT = /^[\x20-\x7e]*$/;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** One parameter as a SQL literal. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`not a SQL number: ${value}`);
    return Number.isInteger(value) ? value.toFixed(0) : String(value);
  }
  if (typeof value === 'string') {
    if (PLAIN_TEXT.test(value) && !value.includes("'") && !value.includes(';')) return `'${value}'`;
    return `CAST(X'${hex(new TextEncoder().encode(value))}' AS TEXT)`;
  }
  if (value instanceof Uint8Array) return `X'${hex(value)}'`;
  if (value instanceof ArrayBuffer) return `X'${hex(new Uint8Array(value))}'`;
  throw new TypeError(`not a value drizzle passes to SQLite: ${Object.prototype.toString.call(value)}`);
}

/**
 * `sql` with each `?` outside quoted text and identifiers replaced by the next parameter. Refuses
 * SQL that wrangler would split (`;`), comments (which could hide a placeholder), numbered
 * placeholders, and a parameter count that does not match.
 */
export function inlineSql(query: SqlQuery | { toSQL(): SqlQuery }): string {
  const { sql, params } = 'toSQL' in query ? query.toSQL() : query;
  let out = '';
  let used = 0;
  let quote: string | null = null;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i] as string;
    if (quote) {
      out += ch;
      if (ch === quote) {
        // A doubled quote is an escaped one, still inside.
        if (sql[i + 1] === quote && quote !== ']') out += sql[++i];
        else quote = null;
      }
      continue;
    }
    if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '[') quote = ']';
    else if (ch === ';') throw new Error(`refusing SQL with ';' (wrangler splits on it): ${sql}`);
    else if ((ch === '-' && sql[i + 1] === '-') || (ch === '/' && sql[i + 1] === '*')) {
      throw new Error(`refusing SQL with a comment: ${sql}`);
    } else if (ch === '?') {
      if (/[0-9]/.test(sql[i + 1] ?? '')) throw new Error(`numbered placeholders are not supported: ${sql}`);
      if (used >= params.length) throw new Error(`more placeholders than parameters (${params.length}): ${sql}`);
      out += sqlLiteral(params[used++]);
      continue;
    }
    out += ch;
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${sql}`);
  if (used !== params.length) throw new Error(`${params.length} parameters for ${used} placeholders: ${sql}`);
  return out;
}
