/**
 * `npm run db:migrate:local` / the migration step of `npm run deploy` and `npm run dev`: applies the
 * D1 migrations to every database the Worker keeps sessions in: `DB` and each binding of SESSION_DBS
 * (wrangler.toml's [vars], or [env.NAME.vars] with --env NAME). Each runs
 * `wrangler d1 migrations apply <binding>` with the flags given (`--local`, or `--remote --env production`).
 *
 *   node scripts/migrate.ts --local
 *   node scripts/migrate.ts --remote --env production
 */
import { spawnSync } from 'node:child_process';
import { unstable_readConfig } from 'wrangler';
import { sessionDbNamesOf } from './session-dbs.ts';

const flags = process.argv.slice(2);
const envIndex = flags.indexOf('--env');
const env = envIndex >= 0 ? flags[envIndex + 1] : undefined;
const configIndex = flags.indexOf('--config');
const config = unstable_readConfig({ config: configIndex >= 0 ? flags[configIndex + 1] : 'wrangler.toml', env });
const bound = new Set(config.d1_databases.map((d: { binding: string }) => d.binding));
const names = sessionDbNamesOf(config.vars.SESSION_DBS);
if (typeof names === 'string') {
  console.error(`migrate: ${names}`);
  process.exit(1);
}
const databases = ['DB', ...names.filter((n) => n !== 'DB')];
for (const name of databases) {
  if (!bound.has(name)) {
    console.error(
      `migrate: SESSION_DBS names '${name}', which is not a [[${env ? `env.${env}.` : ''}d1_databases]] binding of wrangler.toml`,
    );
    process.exit(1);
  }
}
for (const name of databases) {
  console.log(`migrate: ${name}`);
  const result = spawnSync('wrangler', ['d1', 'migrations', 'apply', name, ...flags], {
    stdio: 'inherit',
    env: { ...process.env, CI: '1' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
