/**
 * The D1 throughput case on a seeded local database (issue 14; the full study is
 * bench/d1-scale.ts and docs/SCALE.md). `seedD1` fills a copy of the migrated local D1 with
 * BENCH_D1_SESSIONS sessions (200,000 by default; 1,000,000 for the full study's size) over a
 * fifth as many users, with the study's SQL (bench/d1-seed.ts) through `wrangler d1 execute
 * --local`. `d1Phase` serves the main bench Worker on it (after the other servers have stopped)
 * and, in interleaved rounds, runs each operation for BENCH_D1_MS from 1 and 4 concurrent loops
 * inside the isolate (bench/worker-d1-bench.ts): the product's refreshSession with and without a
 * slide, a returning user's sign-in, a revocation, and `GET /api/me` through the whole app with
 * an expired token (a refresh per call) and with a fresh one; plus D1's meta per operation.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sessionsSql, usersSql } from './d1-seed.ts';
import type { BenchRun } from './processes.ts';
import { type BuiltWorkers, getJson, startMainServer } from './servers.ts';
import { OPTIONS } from './settings.ts';
import { rotate } from './stats.ts';

export const D1_STATE = 'd1-scale';
const CHUNK = 250_000;

export interface D1Seeded {
  sessions: number;
  users: number;
  seconds: number;
  fileBytes: number;
}

/** Bytes of the local D1 files (.sqlite, -wal) under a --persist-to dir. */
function dbBytes(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) bytes += dbBytes(p);
    else if (/\.sqlite(-wal)?$/.test(e.name)) bytes += statSync(p).size;
  }
  return bytes;
}

/** Seeds the `d1-scale` copy of the migrated local D1 (bench/wrangler.toml's DB) with many sessions. */
export async function seedD1(run: BenchRun, built: BuiltWorkers): Promise<D1Seeded> {
  const sessions = OPTIONS.d1Sessions;
  const users = Math.max(1, Math.round(sessions / 5));
  const dir = join(built.state, D1_STATE);
  const t0 = performance.now();
  const now = Date.now();
  const execute = async (name: string, sql: string) => {
    const file = join(run.tmp, `${name}.sql`);
    writeFileSync(file, sql);
    await run.wrangler(`seed-${name}`, [
      ...['d1', 'execute', 'DB', '--local', '--persist-to', dir],
      ...['--config', 'bench/wrangler.toml', '--file', file],
    ]);
  };
  for (let from = 1; from <= users; from += CHUNK) {
    await execute(`users-${from}`, usersSql(now, from, Math.min(users, from + CHUNK - 1)));
  }
  for (let from = 0; from < sessions; from += CHUNK) {
    await execute(`sessions-${from}`, sessionsSql(now, from, Math.min(sessions, from + CHUNK) - 1, users));
  }
  return { sessions, users, seconds: (performance.now() - t0) / 1000, fileBytes: dbBytes(dir) };
}

/** The operations, the client counts each runs at, and what each is. */
export const D1_CASES = {
  refresh: { clients: [1, 4], what: '`refreshSession`, no slide due: one indexed SELECT (one round trip)' },
  'refresh-slide': {
    clients: [1, 4],
    what: '`refreshSession` with a slide due: the SELECT, then a batch (UPDATE + SELECT)',
  },
  'api-me': {
    clients: [1, 4],
    what: '`GET /api/me` through the whole app with an expired token: verify, the refresh read, re-sign, Set-Cookie',
  },
  'api-me-fresh': {
    clients: [1],
    what: '`GET /api/me` through the whole app with a fresh token: answered from the token, no D1',
  },
  signin: { clients: [1], what: '`recordSignIn` of a returning user (a batch of 8)' },
  revoke: { clients: [1], what: '`revokeSession` (a batch of 2: UPDATE … RETURNING + audit INSERT)' },
} as const;
export type D1CaseName = keyof typeof D1_CASES;
const D1_CASE_NAMES = Object.keys(D1_CASES) as D1CaseName[];

export interface D1Run {
  op: string;
  clients: number;
  ops: number;
  ms: number;
  perSecond: number;
  p50: number;
  p99: number;
}
export interface D1Meta {
  roundTrips: number;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  sqlDurationMs: number;
}

export interface D1Samples {
  seeded: D1Seeded;
  prepared: { users: number; sessions: number; reads: number; revocations: number };
  runs: D1Run[];
  /** D1's meta per operation, one untimed pass per round. */
  meta: Partial<Record<D1CaseName, D1Meta[]>>;
  msPerRun: number;
  seconds: number;
}

/** Serves the main bench Worker on the seeded D1 and times every operation, OPTIONS.rounds interleaved rounds. */
export async function d1Phase(run: BenchRun, built: BuiltWorkers, seeded: D1Seeded): Promise<D1Samples> {
  const t0 = performance.now();
  const server = await startMainServer(run, built, D1_STATE);
  try {
    const prepared = await getJson<D1Samples['prepared']>(`${server.base}/__bench/d1/prepare?n=20000`);
    const call = (query: string) => getJson<D1Run & { perOp?: D1Meta }>(`${server.base}/__bench/d1/run?${query}`);
    // Warm up (the database's pages, the isolate's code), untimed.
    for (const op of D1_CASE_NAMES) await call(`op=${op}&clients=1&ms=300`);
    const meta: D1Samples['meta'] = {};
    const runs: D1Run[] = [];
    for (let round = 0; round < OPTIONS.rounds; round++) {
      // D1's meta per operation (rows read and written, SQL time): an untimed pass each round.
      for (const op of rotate(D1_CASE_NAMES, round)) {
        const perOp = (await call(`op=${op}&meta=1&ops=200`)).perOp;
        if (perOp) meta[op] = [...(meta[op] ?? []), perOp];
      }
      for (const op of rotate(D1_CASE_NAMES, round)) {
        for (const clients of D1_CASES[op].clients) {
          const r = await call(`op=${op}&clients=${clients}&ms=${OPTIONS.d1MsPerRun}`);
          runs.push({ op, clients, ops: r.ops, ms: r.ms, perSecond: r.perSecond, p50: r.p50, p99: r.p99 });
        }
      }
    }
    return { seeded, prepared, runs, meta, msPerRun: OPTIONS.d1MsPerRun, seconds: (performance.now() - t0) / 1000 };
  } finally {
    await server.stop();
  }
}
