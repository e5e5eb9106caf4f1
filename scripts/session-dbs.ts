/**
 * SESSION_DBS as the Node scripts read it (wrangler.toml's vars: a JSON array text, a TOML array, or
 * a comma list): the binding names, or a message. The Worker's own parser (src/config/session-dbs.ts)
 * also checks that each is bound, which the scripts check against wrangler.toml.
 */
export function sessionDbNamesOf(raw: unknown): string[] | string {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return [];
  let names: unknown = raw;
  if (typeof raw === 'string') {
    try {
      names = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',').map((n) => n.trim());
    } catch {
      return `SESSION_DBS is not valid JSON: ${raw.slice(0, 80)}`;
    }
  }
  if (
    !Array.isArray(names) ||
    names.length === 0 ||
    names.some((n) => typeof n !== 'string' || !/^[A-Za-z_]\w{0,63}$/.test(n))
  ) {
    return 'SESSION_DBS must list D1 binding names, e.g. ["SESSIONS_0","SESSIONS_1"]';
  }
  if (new Set(names).size !== names.length) return 'SESSION_DBS names a database twice';
  return names as string[];
}
