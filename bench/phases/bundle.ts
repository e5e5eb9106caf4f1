/** The production bundle (`npm run build`'s flags, into the temp dir): minified and gzip -9 bytes, and `wrangler check startup` CPU. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchRun } from '../processes.ts';
import { OPTIONS } from '../settings.ts';
import { roundedStats } from '../stats.ts';

export async function measureProductionBundle(run: BenchRun) {
  const outdir = join(run.tmp, 'build', 'prod');
  const output = await run.wrangler('build-production', [
    'deploy',
    '--dry-run',
    '--env',
    'production',
    '--outdir',
    outdir,
    '--minify',
  ]);
  const code = readFileSync(join(outdir, 'index.js'));
  const wranglerReported = /Total Upload:[^\n]*/.exec(output)?.[0] ?? '';
  return { file: 'index.js', rawBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, wranglerReported };
}

/** OPTIONS.startupRuns runs of `wrangler check startup` (the flags of `npm run build`): its "Active" CPU time; undefined when it fails. */
export async function measureStartup(run: BenchRun) {
  const runs: { activeMs: number; gcMs: number; samples: number }[] = [];
  for (let i = 0; i < OPTIONS.startupRuns; i++) {
    // One argv element: a separate value starting with -- would be read as wrangler's own flags.
    const args = [
      'check',
      'startup',
      '--args=--env production --minify',
      '--outfile',
      join(run.tmp, `startup-${i}.cpuprofile`),
    ];
    const output = await run.wrangler(`check-startup-${i}`, args).catch((error: unknown) => {
      run.say(`warning: wrangler check startup failed: ${String(error).slice(0, 300)}`);
    });
    if (!output) break;
    const num = (re: RegExp) => Number(re.exec(output)?.[1] ?? Number.NaN);
    runs.push({
      activeMs: num(/Active:\s*([\d.]+)\s*ms/),
      gcMs: num(/including\s*([\d.]+)\s*ms garbage/),
      samples: num(/Samples:\s*(\d+)/),
    });
  }
  if (runs.length === 0) return undefined;
  return {
    activeMs: roundedStats(runs.map((r) => r.activeMs)),
    gcMs: roundedStats(runs.map((r) => r.gcMs)),
    samples: runs.map((r) => r.samples),
  };
}
