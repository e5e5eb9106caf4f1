/** A run's results as bench/results.json holds them: every phase's summary, the targets checked, what they were measured on. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { BenchRun } from '../processes.ts';
import { OPTIONS, ROOT } from '../settings.ts';
import { round } from '../stats.ts';
import { checkTargets, type Parts } from './targets.ts';

export type Results = ReturnType<typeof composeResults>;

/** The version of the first of `dirs` (under node_modules) installed: wrangler's own copy before a hoisted one. */
function versionAt(...dirs: string[]): string {
  for (const dir of dirs) {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', dir, 'package.json'), 'utf8')) as { version: string })
        .version;
    } catch {
      // not installed there
    }
  }
  return 'unknown';
}

function versions() {
  const ours = ['wrangler', 'hono', 'jose', '@auth/core', '@hono/auth-js', 'drizzle-orm', 'autocannon'];
  const w = 'wrangler/node_modules';
  return {
    ...{ node: process.version, miniflare: versionAt(`${w}/miniflare`, 'miniflare') },
    workerd: versionAt(`${w}/miniflare/node_modules/workerd`, `${w}/workerd`, 'workerd'),
    ...Object.fromEntries(ours.map((name) => [name, versionAt(name)])),
  };
}

export function composeResults(run: BenchRun, parts: Parts) {
  const machine = {
    ...{ cores: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', memoryGiB: round(os.totalmem() / 2 ** 30, 1) },
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    ...{
      loadAverageStart: run.loadStart.map((l) => round(l, 2)),
      loadAverageEnd: os.loadavg().map((l) => round(l, 2)),
    },
  };
  const meta = {
    date: new Date().toISOString(),
    durationSeconds: (Date.now() - run.started) / 1000,
    machine,
    versions: versions(),
    options: OPTIONS,
  };
  return { meta, targets: checkTargets(parts), ...parts };
}
