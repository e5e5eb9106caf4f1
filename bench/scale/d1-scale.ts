/** The D1 scale study's first half (bench/scale/README.md): seed a local D1 under DIR, then the D1 phase on it by count. */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { d1Phase, dbBytes, seedD1 } from '../phases/d1.ts';
import { withBenchRun } from '../processes.ts';
import { buildBenchWorkers } from '../servers.ts';
import { workerConfigs } from '../settings.ts';

const knob = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const [sessions, users] = [knob('D1_SCALE_SESSIONS', 1_000_000), knob('D1_SCALE_USERS', 200_000)];
const CLIENTS = (process.env.D1_SCALE_CLIENTS ?? '1,4,16').split(',').map(Number);
const DIR = process.env.D1_SCALE_DIR ?? mkdtempSync(join(tmpdir(), 'd1-scale-'));
/** Operations per timed run. */
const OPS = { refresh: 4000, 'refresh-slide': 1500, signin: 800, 'signin-new': 400, revoke: 800 };
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

await withBenchRun(async (run) => {
  const uptimeBefore = uptime();
  run.say(`dir ${DIR}; ${uptimeBefore}`);
  // The Worker needs a whole config; Google is never called.
  const built = await buildBenchWorkers(run, await workerConfigs('https://accounts.google.com'));
  let seeded: Awaited<ReturnType<typeof seedD1>> | { sessions: number; users: number } = { sessions, users };
  if (!process.env.D1_SCALE_SKIP_SEED) {
    cpSync(join(built.state, 'migrated'), DIR, { recursive: true });
    seeded = await seedD1(run, DIR, sessions, users, knob('D1_SCALE_CHUNK', 250_000));
  }
  const clients = Object.fromEntries(Object.keys(OPS).map((op) => [op, CLIENTS]));
  const plan = { clients, rounds: knob('D1_SCALE_ROUNDS', 3), sample: 40_000, ops: OPS, sql: true };
  const measured = await d1Phase(run, built, DIR, seeded, plan);
  const results = { dir: DIR, uptimeBefore, uptimeAfter: uptime(), bytesAfter: dbBytes(DIR), ...measured };
  const path = join(DIR, process.env.D1_SCALE_RESULTS ?? 'results.json');
  writeFileSync(path, JSON.stringify(results, null, 2));
  for (const [op, byClients] of Object.entries(measured.cases)) {
    for (const [n, c] of Object.entries(byClients))
      run.say(`${op} ×${n}: ${c.perSecond.median}/s (${c.perSecond.min}–${c.perSecond.max}), p50 ${c.p50Ms.median} ms`);
  }
  run.say(`results: ${path}`);
});
