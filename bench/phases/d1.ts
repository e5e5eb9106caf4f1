/**
 * D1 throughput on a seeded local D1 (bench/README.md): `seedD1` seeds it, `d1Phase` serves the main bench Worker on it
 * and runs a plan (D1_CASES by default; the scale study's own) inside the isolate (bench/workers/d1.ts).
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { D1_CASES } from '../cases.ts';
import type { BenchRun } from '../processes.ts';
import { seedChunks } from '../scale/seed.ts';
import { type BuiltWorkers, getJson, startMainServer } from '../servers.ts';
import { OPTIONS } from '../settings.ts';
import { rotate } from '../stats.ts';
import { type D1Meta, type D1Run, summariseD1 } from './d1-capacity.ts';

/** Bytes of the local D1 files (.sqlite, -wal) under a --persist-to dir. */
export function dbBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((bytes, e) => {
    const p = join(dir, e.name);
    return bytes + (e.isDirectory() ? dbBytes(p) : /\.sqlite(-wal)?$/.test(e.name) ? statSync(p).size : 0);
  }, 0);
}

/** Seeds the migrated local D1 under `dir` (bench/wrangler.toml's DB): `sessions` over `users`, chunk by chunk. */
export async function seedD1(run: BenchRun, dir: string, sessions: number, users = sessions / 5, rows = 250_000) {
  const t0 = performance.now();
  const chunks: { name: string; rows: number; seconds: number; bytes: number }[] = [];
  for (const chunk of seedChunks(Math.max(1, Math.round(users)), sessions, rows)) {
    const c0 = performance.now();
    const file = join(dir, `${chunk.name}.sql`);
    writeFileSync(file, chunk.sql);
    const where = ['--local', '--persist-to', dir, '--config', 'bench/wrangler.toml'];
    await run.wrangler(`seed-${chunk.name}`, ['d1', 'execute', 'DB', ...where, '--file', file]);
    const [seconds, bytes] = [(performance.now() - c0) / 1000, dbBytes(dir)];
    chunks.push({ name: chunk.name, rows: chunk.rows, seconds, bytes });
    run.say(`seeded ${chunk.name}: ${seconds.toFixed(1)} s, ${(bytes / 1e6).toFixed(0)} MB`);
  }
  return {
    sessions,
    users: Math.round(users),
    seconds: (performance.now() - t0) / 1000,
    fileBytes: dbBytes(dir),
    chunks,
  };
}

/** What to run: each operation's client counts, for `ms` or `ops` operations a run; `sql`: record the SQL each sends. */
type RunLength = { ms?: number; ops?: Record<string, number>; sql?: boolean };
export type D1Plan = { clients: Record<string, readonly number[]>; rounds: number; sample: number } & RunLength;
const BENCH_PLAN: D1Plan = { clients: D1_CASES, rounds: OPTIONS.rounds, sample: 20_000, ms: OPTIONS.d1MsPerRun };

/** Serves the main bench Worker on the D1 under `dir` and runs the plan. */
type Seeded = { sessions: number; users: number };
export async function d1Phase(run: BenchRun, built: BuiltWorkers, dir: string, seeded: Seeded, plan = BENCH_PLAN) {
  const t0 = performance.now();
  const server = await startMainServer(run, built, dir);
  try {
    const prepared = await getJson<Record<string, number>>(`${server.base}/__bench/d1/prepare?n=${plan.sample}`);
    const call = (op: string, query: string) =>
      getJson<D1Run & { perOp?: D1Meta; sql?: string[] }>(`${server.base}/__bench/d1/run?op=${op}&${query}`);
    const ops = Object.keys(plan.clients);
    const sql: Record<string, string[] | undefined> = {};
    for (const op of plan.sql ? ops : []) sql[op] = (await call(op, 'ops=50&sql=1')).sql;
    for (const op of ops) await call(op, 'ms=300'); // warm-up: the database's pages, the isolate's code
    const meta: Record<string, D1Meta[]> = {};
    const runs: D1Run[] = [];
    for (let round = 0; round < plan.rounds; round++) {
      for (const op of rotate(ops, round)) {
        meta[op] = [...(meta[op] ?? []), (await call(op, 'meta=1&ops=200')).perOp as D1Meta];
      }
      for (const op of rotate(ops, round)) {
        for (const clients of plan.clients[op] ?? []) {
          const length = plan.ms ? `ms=${plan.ms}` : `ops=${plan.ops?.[op]}`;
          const { ops: n, ms, perSecond, p50, p99 } = await call(op, `clients=${clients}&${length}`);
          runs.push({ op, clients, ops: n, ms, perSecond, p50, p99 });
          run.say(`D1 round ${round + 1}: ${op} ×${clients}: ${perSecond.toFixed(0)}/s`);
        }
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    return {
      ...summariseD1({ seeded, prepared, runs, meta, clients: plan.clients, msPerRun: plan.ms ?? 0, seconds }),
      ...(plan.sql ? { sql } : {}),
    };
  } finally {
    await server.stop();
  }
}
