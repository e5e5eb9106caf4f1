/**
 * What the figures were measured on, for the report's header: the machine (cores, CPU, memory,
 * load average) and the versions of everything in the measured path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './settings.ts';
import { round } from './stats.ts';

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

export function versions() {
  const requireHere = createRequire(join(ROOT, 'package.json'));
  const version = (from: NodeJS.Require, name: string) => {
    try {
      return (from(`${name}/package.json`) as { version: string }).version;
    } catch {
      try {
        let dir = dirname(from.resolve(name));
        for (let i = 0; i < 5; i++, dir = dirname(dir)) {
          try {
            const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
              name?: string;
              version: string;
            };
            if (pkg.name === name) return pkg.version;
          } catch {
            // keep looking
          }
        }
      } catch {
        // not installed
      }
      return 'unknown';
    }
  };
  const requireWrangler = createRequire(requireHere.resolve('wrangler/package.json'));
  const requireMiniflare = createRequire(requireWrangler.resolve('miniflare'));
  return {
    node: process.version,
    wrangler: version(requireHere, 'wrangler'),
    miniflare: version(requireWrangler, 'miniflare'),
    workerd: version(requireMiniflare, 'workerd'),
    hono: version(requireHere, 'hono'),
    jose: version(requireHere, 'jose'),
    '@auth/core': version(requireHere, '@auth/core'),
    '@hono/auth-js': version(requireHere, '@hono/auth-js'),
    'drizzle-orm': version(requireHere, 'drizzle-orm'),
    autocannon: version(requireHere, 'autocannon'),
  };
}
