/**
 * D1 at scale, measured locally (docs/SCALE.md): seeds a throwaway local D1 with USERS users
 * (and their Google accounts) and SESSIONS sessions through `wrangler d1 migrations apply` /
 * `wrangler d1 execute --local --persist-to DIR` (recursive-CTE inserts in chunks), records
 * the database file size per million rows, then serves bench/worker-d1-scale.ts (the product's
 * own refreshSession / recordSignIn / revokeSession from src/, bundled with esbuild) on
 * Miniflare over that database and times each operation, single client and with concurrent
 * clients, in ROUNDS interleaved rounds (medians reported).
 *
 *   npx node bench/d1-scale.ts               # or: npx tsx bench/d1-scale.ts
 *   D1_SCALE_DIR=/tmp/d1s D1_SCALE_SKIP_SEED=1 npx node bench/d1-scale.ts   # reuse a seeded dir
 *
 * Knobs: D1_SCALE_SESSIONS (1000000), D1_SCALE_USERS (200000), D1_SCALE_CHUNK (250000),
 * D1_SCALE_ROUNDS (3), D1_SCALE_CLIENTS ("1,4,16"). Writes DIR/results.json (D1_SCALE_RESULTS); the directory is
 * left in place (delete it when done).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { sessionsSql, usersSql } from './d1-seed.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DB_ID = '00000000-0000-0000-0000-000000000000'; // wrangler.toml's local database_id
const SESSIONS = Number(process.env.D1_SCALE_SESSIONS ?? 1_000_000);
const USERS = Number(process.env.D1_SCALE_USERS ?? 200_000);
const CHUNK = Number(process.env.D1_SCALE_CHUNK ?? 250_000);
const ROUNDS = Number(process.env.D1_SCALE_ROUNDS ?? 3);
const CLIENTS = (process.env.D1_SCALE_CLIENTS ?? '1,4,16').split(',').map(Number);
const DIR = process.env.D1_SCALE_DIR ?? mkdtempSync(join(tmpdir(), 'd1-scale-'));
const PERSIST = join(DIR, 'v3', 'd1');
/** The results file under DIR (another name keeps an earlier run's). */
const RESULTS = process.env.D1_SCALE_RESULTS ?? 'results.json';

const log = (...a: unknown[]) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

function wrangler(args: string[]): string {
  return execFileSync('npx', ['wrangler', ...args, '--local', '--persist-to', DIR], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', WRANGLER_SEND_METRICS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function sqlFile(name: string, sql: string): string {
  const path = join(DIR, name);
  writeFileSync(path, sql);
  return path;
}

/** Bytes of the local database: the .sqlite file and any -wal/-shm beside it. */
function dbBytes(): { sqlite: number; wal: number } {
  let sqlite = 0;
  let wal = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.sqlite')) sqlite += statSync(p).size;
      else if (e.name.endsWith('-wal') || e.name.endsWith('-shm')) wal += statSync(p).size;
    }
  };
  walk(PERSIST);
  return { sqlite, wal };
}

function seed() {
  const t = Date.now();
  const timings: Record<string, number> = {};
  const time = (name: string, f: () => void) => {
    const t0 = performance.now();
    f();
    timings[name] = (performance.now() - t0) / 1000;
    log(`${name}: ${timings[name].toFixed(1)} s`);
  };
  time('migrations', () => wrangler(['d1', 'migrations', 'apply', 'DB']));
  const empty = dbBytes();
  time('users', () => {
    for (let from = 1; from <= USERS; from += CHUNK) {
      const to = Math.min(USERS, from + CHUNK - 1);
      wrangler(['d1', 'execute', 'DB', '--file', sqlFile(`users-${from}.sql`, usersSql(t, from, to))]);
    }
  });
  const withUsers = dbBytes();
  const sessionChunks: Array<{ rows: number; seconds: number; bytes: number }> = [];
  time('sessions', () => {
    for (let from = 0; from < SESSIONS; from += CHUNK) {
      const to = Math.min(SESSIONS, from + CHUNK) - 1;
      const t0 = performance.now();
      wrangler(['d1', 'execute', 'DB', '--file', sqlFile(`sessions-${from}.sql`, sessionsSql(t, from, to, USERS))]);
      sessionChunks.push({ rows: to + 1, seconds: (performance.now() - t0) / 1000, bytes: dbBytes().sqlite });
      log(
        `  sessions ${to + 1}: ${sessionChunks.at(-1)?.seconds.toFixed(1)} s, ${(dbBytes().sqlite / 1e6).toFixed(0)} MB`,
      );
    }
  });
  const withSessions = dbBytes();
  return { timings, bytes: { empty, withUsers, withSessions }, sessionChunks };
}

async function main() {
  const uptimeBefore = uptime();
  log(`dir ${DIR}; ${uptimeBefore}`);
  const seeded = process.env.D1_SCALE_SKIP_SEED ? null : seed();

  const out = join(DIR, 'worker');
  await build({
    entryPoints: [join(ROOT, 'bench', 'worker-d1-scale.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: join(out, 'worker.js'),
    logLevel: 'warning',
  });
  // wrangler's own Miniflare (what `wrangler dev` runs), as in bench/serve-direct.ts.
  const requireFromWrangler = createRequire(join(ROOT, 'node_modules', 'wrangler', 'package.json'));
  const { Miniflare, convertV4MiniflareOptions } = await import(
    pathToFileURL(requireFromWrangler.resolve('miniflare')).href
  );
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      logRequests: false,
      handleStructuredLogs: () => {},
      unsafeObservability: false,
      unsafeLocalExplorer: false,
      // wrangler's --persist-to DIR keeps resources under DIR/v3.
      resourcePersistencePath: join(DIR, 'v3'),
      rootPath: out,
      modules: true,
      scriptPath: join(out, 'worker.js'),
      compatibilityDate: '2026-11-01',
      d1Databases: { DB: DB_ID },
    }),
  );
  try {
    const call = async (path: string, body?: unknown) => {
      const res = await mf.dispatchFetch(
        `http://d1-scale${path}`,
        body ? { method: 'POST', body: JSON.stringify(body) } : {},
      );
      const text = await res.text();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    };
    const counts = await (await mf.getD1Database('DB'))
      .prepare(
        'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM auth_events) AS events',
      )
      .first();
    log('rows', counts);
    const t0 = performance.now();
    const pairs: Array<[string, string]> = await call(`/sample?n=40000`);
    log(`sampled ${pairs.length} sessions in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    // The first half for refreshes, the second consumed by revocations (each revokes a new session).
    const half = Math.floor(pairs.length / 2);
    const refreshPairs = pairs.slice(0, half);
    let revokeAt = half;
    /** The next `n` sessions no run has revoked yet. */
    const takeForRevoke = (n: number) => {
      const taken = pairs.slice(revokeAt, revokeAt + n);
      revokeAt += n;
      return taken;
    };
    const base = { users: Number(counts?.users ?? USERS) };

    const OPS: Record<string, number> = {
      refresh: 4000,
      'refresh-slide': 1500,
      signin: 800,
      'signin-new': 400,
      revoke: 800,
    };
    // The SQL each operation sends (recorded on a short warm-up run).
    const sql: Record<string, string[]> = {};
    for (const op of Object.keys(OPS)) {
      const r = await call('/run', {
        ...base,
        op,
        ops: 50,
        clients: 1,
        pairs: op === 'revoke' ? takeForRevoke(50) : refreshPairs,
        sql: true,
      });
      sql[op] = r.sql;
    }
    // What D1 reports per operation (meta: rows read/written, SQL duration), on an untimed pass.
    const meta: Record<string, unknown> = {};
    for (const op of Object.keys(OPS)) {
      const p = op === 'revoke' ? takeForRevoke(200) : refreshPairs;
      meta[op] = (await call('/run', { ...base, op, ops: 200, clients: 1, pairs: p, meta: true })).perOp;
    }
    log('D1 meta per operation', meta);
    const runs: Array<Record<string, unknown>> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const op of Object.keys(OPS)) {
        for (const clients of CLIENTS) {
          const ops = OPS[op] ?? 0;
          const p = op === 'revoke' ? takeForRevoke(ops) : refreshPairs;
          const r = await call('/run', { ...base, op, ops, clients, pairs: p });
          runs.push({ round, ...r });
          log(
            `round ${round} ${op} ×${clients}: ${r.perSecond.toFixed(0)}/s (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms)`,
          );
        }
      }
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const at = (i: number) => s[i] ?? Number.NaN;
      return s.length % 2 ? at((s.length - 1) / 2) : (at(s.length / 2 - 1) + at(s.length / 2)) / 2;
    };
    const summary: Array<Record<string, unknown>> = [];
    for (const op of Object.keys(OPS)) {
      for (const clients of CLIENTS) {
        const mine = runs.filter((r) => r.op === op && r.clients === clients);
        summary.push({
          op,
          clients,
          perSecond: median(mine.map((r) => r.perSecond as number)),
          perSecondRange: [
            Math.min(...mine.map((r) => r.perSecond as number)),
            Math.max(...mine.map((r) => r.perSecond as number)),
          ],
          p50ms: median(mine.map((r) => r.p50 as number)),
          p99ms: median(mine.map((r) => r.p99 as number)),
        });
      }
    }
    console.table(
      summary.map((s) => ({ ...s, perSecondRange: (s.perSecondRange as number[]).map((x) => x.toFixed(0)).join('–') })),
    );
    const after = await (await mf.getD1Database('DB'))
      .prepare('SELECT (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM auth_events) AS events')
      .first();
    const result = {
      dir: DIR,
      sessions: SESSIONS,
      users: USERS,
      uptimeBefore,
      uptimeAfter: uptime(),
      nproc: execFileSync('nproc', { encoding: 'utf8' }).trim(),
      seeded,
      rows: counts,
      rowsAfter: after,
      bytesAfter: dbBytes(),
      sql,
      meta,
      summary,
      runs,
    };
    writeFileSync(join(DIR, RESULTS), JSON.stringify(result, null, 2));
    log(`results: ${join(DIR, RESULTS)}; ${result.uptimeAfter}`);
  } finally {
    await mf.dispose();
  }
}

await main();
