/**
 * SESSION_DBS of the wrangler config and environment that wrangler flags name (their --config and
 * --env), read by the Worker's own parser (src/config/session-dbs.ts) against that config's
 * d1_databases: for `npm run admin` and scripts/migrate.ts.
 */
import { unstable_readConfig } from 'wrangler';
import { parseSessionDbNames, type SessionDbsResult } from '../../src/config/session-dbs.ts';
import type { SessionDbs } from './shards.ts';
import { wranglerRunner } from './wrangler.ts';

/** SESSION_DBS's binding names (none: unset), or what is wrong with it. */
export function sessionDbNamesIn(flags: string[]): SessionDbsResult {
  const flag = (name: string) => {
    const i = flags.indexOf(name);
    return i >= 0 ? flags[i + 1] : undefined;
  };
  const config = unstable_readConfig({ config: flag('--config') ?? 'wrangler.toml', env: flag('--env') });
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
