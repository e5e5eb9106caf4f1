/**
 * What the figures were measured on, for the report's header: the machine (cores, CPU, memory,
 * load average) and the versions of everything in the measured path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../settings.ts';
import { round } from '../stats.ts';

/** The machine, with its load average at the start of the run and now. */
export function machine(loadStart: number[]) {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverageStart: loadStart.map((l) => round(l, 2)),
    loadAverageEnd: os.loadavg().map((l) => round(l, 2)),
  };
}

/** A package's version as `from` resolves it: its package.json, found upwards of its entry point when not exported. */
function version(from: NodeJS.Require, name: string): string {
  try {
    return (from(`${name}/package.json`) as { version: string }).version;
  } catch {
    // not exported: look upwards of the entry point
  }
  try {
    let dir = dirname(from.resolve(name));
    for (let i = 0; i < 6; i++, dir = dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
        if (pkg.name === name) return pkg.version;
      } catch {
        // not at this level
      }
    }
  } catch {
    // not installed
  }
  return 'unknown';
}

export function versions() {
  const here = createRequire(join(ROOT, 'package.json'));
  const fromWrangler = createRequire(here.resolve('wrangler/package.json'));
  const fromMiniflare = createRequire(fromWrangler.resolve('miniflare'));
  const ours = ['hono', 'jose', '@auth/core', '@hono/auth-js', 'drizzle-orm', 'autocannon'];
  return {
    node: process.version,
    wrangler: version(here, 'wrangler'),
    miniflare: version(fromWrangler, 'miniflare'),
    workerd: version(fromMiniflare, 'workerd'),
    ...Object.fromEntries(ours.map((name) => [name, version(here, name)])),
  };
}
