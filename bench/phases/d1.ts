/**
 * D1 throughput on a local D1 seeded with BENCH_D1_SESSIONS sessions over a fifth as many users
 * (the full study: bench/scale/, docs/SCALE.md). Served by the main bench Worker once the other
 * servers have stopped; each operation of bench/cases.ts D1_CASES runs for BENCH_D1_MS from 1 and
 * 4 concurrent loops inside the isolate (bench/workers/d1.ts), in interleaved rounds, plus an
 * untimed pass a round for D1's meta per operation.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { D1_CASES, type D1CaseName } from '../cases.ts';
import type { BenchRun } from '../processes.ts';
import { seedChunks } from '../scale/seed.ts';
import { type BuiltWorkers, getJson, startMainServer } from '../servers.ts';
import { OPTIONS } from '../settings.ts';
import { rotate } from '../stats.ts';
import { type D1Meta, type D1Run, summariseD1 } from './d1-capacity.ts';

const D1_CASE_NAMES = Object.keys(D1_CASES) as D1CaseName[];

/** Bytes of the local D1 files (.sqlite, -wal) under a --persist-to dir. */
export function dbBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((bytes, e) => {
    const p = join(dir, e.name);
    return bytes + (e.isDirectory() ? dbBytes(p) : /\.sqlite(-wal)?$/.test(e.name) ? statSync(p).size : 0);
  }, 0);
}

/** Seeds the migrated local D1 under `dir` (bench/wrangler.toml's DB) with bench/scale/seed.ts's chunks. */
export async function seedD1(run: BenchRun, dir: string, sessions: number, users: number, chunkRows = 250_000) {
  const t0 = performance.now();
  const chunks: { name: string; rows: number; seconds: number; bytes: number }[] = [];
  for (const chunk of seedChunks(users, sessions, chunkRows)) {
    const c0 = performance.now();
    const file = join(run.tmp, `${chunk.name}.sql`);
    writeFileSync(file, chunk.sql);
    await run.wrangler(`seed-${chunk.name}`, [
      'd1',
      'execute',
      'DB',
      '--local',
      '--persist-to',
      dir,
      '--config',
      'bench/wrangler.toml',
      '--file',
      file,
    ]);
    chunks.push({ name: chunk.name, rows: chunk.rows, seconds: (performance.now() - c0) / 1000, bytes: dbBytes(dir) });
    run.say(
      `seeded ${chunk.name}: ${chunks.at(-1)?.seconds.toFixed(1)} s, ${((chunks.at(-1)?.bytes ?? 0) / 1e6).toFixed(0)} MB`,
    );
  }
  return { sessions, users, seconds: (performance.now() - t0) / 1000, fileBytes: dbBytes(dir), chunks };
}
export type D1Seeded = Awaited<ReturnType<typeof seedD1>>;

/** Serves the main bench Worker on the seeded D1 under `dir` and times every operation, OPTIONS.rounds interleaved rounds. */
export async function d1Phase(run: BenchRun, built: BuiltWorkers, dir: string, seeded: D1Seeded) {
  const t0 = performance.now();
  const server = await startMainServer(run, built, dir);
  try {
    const prepared = await getJson<Record<string, number>>(`${server.base}/__bench/d1/prepare?n=20000`);
    const call = (query: string) => getJson<D1Run & { perOp?: D1Meta }>(`${server.base}/__bench/d1/run?${query}`);
    // Warm up (the database's pages, the isolate's code), untimed.
    for (const op of D1_CASE_NAMES) await call(`op=${op}&ms=300`);
    const meta: Partial<Record<D1CaseName, D1Meta[]>> = {};
    const runs: D1Run[] = [];
    for (let round = 0; round < OPTIONS.rounds; round++) {
      for (const op of rotate(D1_CASE_NAMES, round)) {
        const { perOp } = await call(`op=${op}&meta=1&ops=200`);
        if (perOp) meta[op] = [...(meta[op] ?? []), perOp];
      }
      for (const op of rotate(D1_CASE_NAMES, round)) {
        for (const clients of D1_CASES[op].clients) {
          const { ops, ms, perSecond, p50, p99 } = await call(`op=${op}&clients=${clients}&ms=${OPTIONS.d1MsPerRun}`);
          runs.push({ op, clients, ops, ms, perSecond, p50, p99 });
        }
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const { chunks: _, ...seed } = seeded;
    return summariseD1({ seeded: seed, prepared, runs, meta, msPerRun: OPTIONS.d1MsPerRun, seconds });
  } finally {
    await server.stop();
  }
}
