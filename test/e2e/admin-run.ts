/**
 * `npm run admin` as an operator runs it, for the e2e files that drive the CLI: the command in a
 * child of its own (with the minimal environment of child-env.ts, never the developer's shell), and
 * the local D1 the command wrote, read back from its SQLite file.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { childEnv } from './child-env.ts';
import { ROOT } from './project-copy.ts';

export interface AdminRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run --silent admin -- ARGS` (silent: npm's banner would precede the JSON on stdout). */
export function runAdmin(args: string[], env: NodeJS.ProcessEnv = childEnv()): Promise<AdminRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '--silent', 'admin', '--', ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Reads the local D1 wrangler keeps under `persistDir` (its one SQLite file), once the command has exited. */
export function readLocalD1<Row = Record<string, unknown>>(persistDir: string, sql: string): Row[] {
  const objects = join(persistDir, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const [file, ...others] = readdirSync(objects).filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  if (!file || others.length) throw new Error(`expected one D1 database in ${objects}`);
  const db = new DatabaseSync(join(objects, file), { readOnly: true });
  try {
    return db.prepare(sql).all() as Row[];
  } finally {
    db.close();
  }
}
