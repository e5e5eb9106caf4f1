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
import { sessionDbNamesIn } from './admin/wrangler-config.ts';

const flags = process.argv.slice(2);
const parsed = sessionDbNamesIn(flags);
if (!parsed.ok) {
  console.error(`migrate: ${parsed.message}`);
  process.exit(1);
}
const databases = ['DB', ...parsed.names.filter((n) => n !== 'DB')];
for (const name of databases) {
  console.log(`migrate: ${name}`);
  const result = spawnSync('wrangler', ['d1', 'migrations', 'apply', name, ...flags], {
    stdio: 'inherit',
    env: { ...process.env, CI: '1' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
