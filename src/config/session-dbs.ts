/**
 * SESSION_DBS: the D1 bindings that hold sessions, split by a hash of the user
 * id (db/shard-of). Unset or empty: every session in `DB`, as with one
 * database. Accepted forms: a JSON array of binding names
 * (`["SESSIONS_0","SESSIONS_1"]`, or a TOML array in [vars], which wrangler
 * binds as an array) or a comma list (`SESSIONS_0,SESSIONS_1`). `DB` itself
 * may be one of them.
 */
export type SessionDbsResult = { ok: true; names: readonly string[] } | { ok: false; message: string };

const BINDING_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Validates SESSION_DBS against the env's bindings: every name a D1 binding, no duplicates. */
export function parseSessionDbs(env: Record<string, unknown>): SessionDbsResult {
  return parseSessionDbNames(env.SESSION_DBS, (name) => isD1(env[name]));
}

/**
 * SESSION_DBS's value parsed, each name checked with `isBound`: the Worker asks its env, the scripts
 * (scripts/migrate.ts, `npm run admin`) the `d1_databases` of the wrangler config. It imports
 * nothing, so Node runs it as is.
 */
export function parseSessionDbNames(raw: unknown, isBound: (name: string) => boolean): SessionDbsResult {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    return { ok: true, names: [] };
  }
  let names: unknown;
  if (Array.isArray(raw)) names = raw;
  else if (typeof raw !== 'string') return fail('must be a JSON array of D1 binding names or a comma list');
  else if (raw.trim().startsWith('[')) {
    try {
      names = JSON.parse(raw);
    } catch {
      return fail(`is not valid JSON: ${raw.slice(0, 80)}`);
    }
  } else names = raw.split(',').map((name) => name.trim());
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.some((n) => typeof n !== 'string' || !BINDING_NAME.test(n))
  ) {
    return fail('must list D1 binding names (letters, digits, _), e.g. ["SESSIONS_0","SESSIONS_1"]');
  }
  const seen = new Set<string>();
  for (const name of names as string[]) {
    if (seen.has(name)) return fail(`names '${name}' twice: each database once`);
    seen.add(name);
    if (!isBound(name)) {
      return fail(
        `names '${name}', which is not a D1 binding of this Worker: add [[d1_databases]] binding = "${name}"`,
      );
    }
  }
  return { ok: true, names: Object.freeze([...seen]) };
}

function fail(detail: string): SessionDbsResult {
  return { ok: false, message: `SESSION_DBS ${detail} (docs/database.md#session-databases-session_dbs)` };
}

function isD1(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { prepare?: unknown }).prepare === 'function';
}
