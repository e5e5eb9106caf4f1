/**
 * D1 at scale, measured locally (docs/SCALE.md): a throwaway local D1 under DIR, migrated and
 * seeded with USERS users (and their Google accounts) and SESSIONS sessions (bench/scale/seed.ts),
 * its size recorded as it grows; then the main bench Worker served on it (bench/servers.ts) runs the
 * product's own refreshSession / recordSignIn / revokeSession from 1 and more concurrent clients
 * (bench/workers/d1.ts), in ROUNDS interleaved rounds, with the SQL each sends and D1's meta per operation.
 *
 *   D1_SCALE_DIR=/tmp/d1s npx node bench/scale/d1-scale.ts
 *   D1_SCALE_DIR=/tmp/d1s D1_SCALE_SKIP_SEED=1 npx node bench/scale/d1-scale.ts   # reuse a seeded dir
 *
 * Knobs: D1_SCALE_SESSIONS (1000000), D1_SCALE_USERS (200000), D1_SCALE_CHUNK (250000),
 * D1_SCALE_ROUNDS (3), D1_SCALE_CLIENTS ("1,4,16"). Writes DIR/results.json (D1_SCALE_RESULTS);
 * DIR is left in place for bench/scale/sqlite.ts (delete it when done).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dbBytes, seedD1 } from '../phases/d1.ts';
import { withBenchRun } from '../processes.ts';
import { buildBenchWorkers, getJson, startMainServer } from '../servers.ts';
import { workerConfigs } from '../settings.ts';
import { stats } from '../stats.ts';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SESSIONS = env('D1_SCALE_SESSIONS', 1_000_000);
const USERS = env('D1_SCALE_USERS', 200_000);
const ROUNDS = env('D1_SCALE_ROUNDS', 3);
const CLIENTS = (process.env.D1_SCALE_CLIENTS ?? '1,4,16').split(',').map(Number);
const DIR = process.env.D1_SCALE_DIR ?? mkdtempSync(join(tmpdir(), 'd1-scale-'));
/** Operations per timed run. */
const OPS: Record<string, number> = {
  refresh: 4000,
  'refresh-slide': 1500,
  signin: 800,
  'signin-new': 400,
  revoke: 800,
};
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

interface OpRun {
  op: string;
  clients: number;
  perSecond: number;
  p50: number;
  p99: number;
  sql?: string[];
  perOp?: unknown;
}

await withBenchRun(async (run) => {
  const uptimeBefore = uptime();
  run.say(`dir ${DIR}; ${uptimeBefore}`);
  // The Worker needs a config; Google is never called.
  const built = await buildBenchWorkers(run, await workerConfigs('https://accounts.google.com'));
  let seeded: Awaited<ReturnType<typeof seedD1>> | undefined;
  if (!process.env.D1_SCALE_SKIP_SEED) {
    cpSync(join(built.state, 'migrated'), DIR, { recursive: true });
    seeded = await seedD1(run, DIR, SESSIONS, USERS, env('D1_SCALE_CHUNK', 250_000));
  }
  const server = await startMainServer(run, built, DIR);
  try {
    const rows = await getJson<Record<string, number>>(`${server.base}/__bench/d1/prepare?n=40000`);
    run.say(`rows ${JSON.stringify(rows)}`);
    const call = (op: string, query: string) => getJson<OpRun>(`${server.base}/__bench/d1/run?op=${op}&${query}`);
    const sql: Record<string, string[] | undefined> = {};
    const meta: Record<string, unknown> = {};
    for (const op of Object.keys(OPS)) sql[op] = (await call(op, 'ops=50&sql=1')).sql;
    for (const op of Object.keys(OPS)) meta[op] = (await call(op, 'ops=200&meta=1')).perOp;
    run.say(`D1 meta per operation: ${JSON.stringify(meta)}`);
    const runs: (OpRun & { round: number })[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [op, ops] of Object.entries(OPS)) {
        for (const clients of CLIENTS) {
          const r = await call(op, `ops=${ops}&clients=${clients}`);
          runs.push({ round, ...r });
          run.say(
            `round ${round} ${op} ×${clients}: ${r.perSecond.toFixed(0)}/s (p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms)`,
          );
        }
      }
    }
    const summary = Object.keys(OPS).flatMap((op) =>
      CLIENTS.map((clients) => {
        const mine = runs.filter((r) => r.op === op && r.clients === clients);
        const [perSecond, p50, p99] = (['perSecond', 'p50', 'p99'] as const).map((k) => stats(mine.map((r) => r[k])));
        return {
          op,
          clients,
          perSecond: perSecond?.median,
          perSecondRange: [perSecond?.min, perSecond?.max],
          p50ms: p50?.median,
          p99ms: p99?.median,
        };
      }),
    );
    console.table(summary);
    const results = {
      dir: DIR,
      sessions: SESSIONS,
      users: USERS,
      uptimeBefore,
      uptimeAfter: uptime(),
      seeded,
      rows,
      bytesAfter: dbBytes(DIR),
      sql,
      meta,
      summary,
      runs,
    };
    writeFileSync(join(DIR, process.env.D1_SCALE_RESULTS ?? 'results.json'), JSON.stringify(results, null, 2));
    run.say(`results: ${join(DIR, process.env.D1_SCALE_RESULTS ?? 'results.json')}`);
  } finally {
    await server.stop();
  }
});
