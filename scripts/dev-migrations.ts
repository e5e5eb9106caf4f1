/**
 * The migration step of `npm run dev`: scripts/migrate.ts --local (DB and each of SESSION_DBS),
 * its output kept and condensed to one line; all of it is shown only when it fails.
 */
import { spawnSync } from 'node:child_process';

export interface MigrationRun {
  ok: boolean;
  /** e.g. "applied 5 migration(s) to DB" or "DB up to date". */
  summary: string;
  output: string;
}

export function migrateLocal(env: NodeJS.ProcessEnv): MigrationRun {
  const run = spawnSync(process.execPath, ['scripts/migrate.ts', '--local'], { env, encoding: 'utf8' });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  if (run.status !== 0) return { ok: false, summary: `migrations failed (exit ${run.status ?? run.signal})`, output };
  return { ok: true, summary: condense(output), output };
}

/** One phrase per database of migrate.ts's output ("migrate: NAME" then wrangler's own lines). */
export function condense(output: string): string {
  const parts: string[] = [];
  for (const section of output.split(/^migrate: /m).slice(1)) {
    const name = section.split('\n', 1)[0]?.trim() ?? '?';
    const applied = /About to apply (\d+) migration/.exec(section)?.[1];
    parts.push(applied ? `applied ${applied} migration(s) to ${name}` : `${name} up to date`);
  }
  return parts.join(', ') || 'nothing to migrate';
}
