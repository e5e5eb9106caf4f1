/**
 * What `npm run admin` reads of the wrangler config and environment that its wrangler flags name
 * (their --config and --env): SESSION_DBS, by the Worker's own parser (src/config/session-dbs.ts)
 * against that config's d1_databases, for `npm run admin` and scripts/migrate.ts; and AUTH_URL and
 * TOKEN_AUDIENCES, for `clients create`.
 */
import { unstable_readConfig } from 'wrangler';
import { parseSessionDbNames, type SessionDbsResult } from '../../src/config/session-dbs.ts';
import type { Deps } from './outcome.ts';
import type { SessionDbs } from './shards.ts';
import { wranglerRunner } from './wrangler.ts';

function readConfig(flags: string[]) {
  const flag = (name: string) => {
    const i = flags.indexOf(name);
    return i >= 0 ? flags[i + 1] : undefined;
  };
  return unstable_readConfig({ config: flag('--config') ?? 'wrangler.toml', env: flag('--env') });
}

/** SESSION_DBS's binding names (none: unset), or what is wrong with it. */
export function sessionDbNamesIn(flags: string[]): SessionDbsResult {
  const config = readConfig(flags);
  const bound = new Set(config.d1_databases.map((d: { binding: string }) => d.binding));
  return parseSessionDbNames(config.vars.SESSION_DBS, (name) => bound.has(name));
}

/** The session databases to use, undefined without SESSION_DBS, or what is wrong with it. */
export function sessionDbsOf(flags: string[]): SessionDbs | undefined | string {
  const parsed = sessionDbNamesIn(flags);
  if (!parsed.ok) return parsed.message;
  if (parsed.names.length === 0) return undefined;
  return { names: parsed.names, runIn: (database) => wranglerRunner(flags, { database }) };
}

/** The issuer (AUTH_URL's origin) and the audiences it grants tokens for; none when the config says none. */
export function tokenSettingsOf(flags: string[]): Pick<Deps, 'issuer' | 'knownAudiences'> {
  try {
    const vars = readConfig(flags).vars as Record<string, unknown>;
    const issuer = typeof vars.AUTH_URL === 'string' ? new URL(vars.AUTH_URL).origin : undefined;
    const audiences = String(vars.TOKEN_AUDIENCES ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    return { ...(issuer ? { issuer, knownAudiences: [issuer, ...audiences] } : {}) };
  } catch {
    return {};
  }
}
