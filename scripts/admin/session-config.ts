/** SESSION_DBS of the wrangler config and environment the admin runs against (its --config and --env). */
import { unstable_readConfig } from 'wrangler';
import { sessionDbNamesOf } from '../session-dbs.ts';
import type { SessionDbs } from './shards.ts';
import { wranglerRunner } from './wrangler.ts';

/** The session databases to use, undefined without SESSION_DBS, or what is wrong with it. */
export function sessionDbsOf(flags: string[]): SessionDbs | undefined | string {
  const flag = (name: string) => {
    const i = flags.indexOf(name);
    return i >= 0 ? flags[i + 1] : undefined;
  };
  const env = flag('--env');
  const config = unstable_readConfig({ config: flag('--config') ?? 'wrangler.toml', env });
  const names = sessionDbNamesOf(config.vars.SESSION_DBS);
  if (typeof names === 'string') return names;
  if (names.length === 0) return undefined;
  const bound = new Set(config.d1_databases.map((d: { binding: string }) => d.binding));
  const missing = names.find((name) => !bound.has(name));
  if (missing) return `SESSION_DBS names '${missing}', which is not a d1_databases binding of the wrangler config`;
  return { names, runIn: (database) => wranglerRunner(flags, { database }) };
}
