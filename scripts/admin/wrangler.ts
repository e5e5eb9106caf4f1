/**
 * Runs one D1 batch through `wrangler d1 execute DB --json --command "…"` (or another D1 binding: a
 * session database of SESSION_DBS, scripts/admin/shards.ts): the
 * statements joined by `;` into one command, which wrangler runs as one batch
 * (locally `db.batch()` in Miniflare; remotely the D1 /query endpoint, which
 * executes a multi-statement `sql` "as a batch"). D1 batches are transactions.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Rows } from './rows.ts';

export type { RunD1 } from './rows.ts';

import type { RunD1 } from './rows.ts';

export class D1Error extends Error {
  override name = 'D1Error';
}

/** wrangler's CLI entry, run with this process's Node (the project's Node 24 under npm run). */
function wranglerBin(): string {
  const pkg = createRequire(import.meta.url).resolve('wrangler/package.json');
  return join(dirname(pkg), 'bin', 'wrangler.js');
}

/** The SQL of one `--command`: wrangler splits it on `;` into the batch's statements. */
export function joinStatements(statements: string[]): string {
  for (const statement of statements) {
    if (statement.includes(';')) throw new Error(`a statement contains ';': ${statement}`);
  }
  return statements.join(';\n');
}

function parseOutput(stdout: string): unknown {
  const start = stdout.search(/^[[{]/m);
  if (start < 0) return undefined;
  try {
    return JSON.parse(stdout.slice(start));
  } catch {
    return undefined;
  }
}

function failure(stdout: string, stderr: string, code: number | null): D1Error {
  const output = parseOutput(stdout) as { error?: { text?: string } } | undefined;
  const text = output?.error?.text ?? (stderr.trim() || stdout.trim() || `wrangler exited with ${code}`);
  let hint = '';
  if (/no such table/i.test(text)) {
    hint =
      '\nThe database has no tables yet: apply the migrations (npm run db:migrate:local, or' +
      ' node scripts/migrate.ts --remote --env production: DB and every SESSION_DBS database).';
  }
  return new D1Error(`wrangler d1 execute failed: ${text}${hint}`);
}

/**
 * A RunD1 over wrangler with these flags (e.g. `--local --persist-to DIR`, or
 * `--env production --remote`). Only drizzle-built statements reach it, inlined (scripts/admin/statements.ts);
 * it is one argv element, never through a shell.
 */
export function wranglerRunner(
  flags: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; database?: string } = {},
): RunD1 {
  return (statements) =>
    new Promise((resolve, reject) => {
      const command = joinStatements(statements);
      const args = [wranglerBin(), 'd1', 'execute', options.database ?? 'DB', ...flags, '--json', '--command', command];
      const child = spawn(process.execPath, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => {
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = Buffer.concat(err).toString('utf8');
        if (code !== 0) return reject(failure(stdout, stderr, code));
        const parsed = parseOutput(stdout);
        if (!Array.isArray(parsed) || parsed.length !== statements.length) {
          return reject(
            new D1Error(`unexpected output of wrangler d1 execute (${statements.length} statements): ${stdout}`),
          );
        }
        resolve(parsed.map((result: { results?: Rows }) => result.results ?? []));
      });
    });
}
