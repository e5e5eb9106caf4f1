/**
 * The production bundle: `npm run build`'s `wrangler deploy --dry-run --env production --minify`
 * into the run's temp dir (dist/ is left alone) with esbuild's metafile, measured minified and
 * gzip -9, with its largest contributors by package; and its startup CPU time, `wrangler check
 * startup` (the Worker's top level run in a local workerd under the V8 profiler), a few times.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchRun } from '../processes.ts';
import { OPTIONS } from '../settings.ts';
import { round, roundedStats } from '../stats.ts';

/** Which package (or src) a bundled input comes from. */
function sourceOf(input: string) {
  const nm = input.lastIndexOf('node_modules/');
  if (nm === -1) return input.startsWith('src/') ? 'src (Sitewide)' : input;
  const [scope = input, name] = input.slice(nm + 'node_modules/'.length).split('/');
  return scope.startsWith('@') ? `${scope}/${name}` : scope;
}

/** Builds the production bundle and measures it. */
export async function measureProductionBundle(run: BenchRun) {
  const outdir = join(run.tmp, 'build', 'prod');
  const output = await run.wrangler('build-production', [
    ...['deploy', '--dry-run', '--env', 'production', '--outdir', outdir],
    ...['--minify', '--metafile', join(outdir, 'meta.json')],
  ]);
  const code = readFileSync(join(outdir, 'index.js'));
  const meta = JSON.parse(readFileSync(join(outdir, 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const bySource = new Map<string, number>();
  for (const [out, { inputs }] of Object.entries(meta.outputs)) {
    if (!out.endsWith('.js')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
      bySource.set(sourceOf(input), (bySource.get(sourceOf(input)) ?? 0) + bytesInOutput);
    }
  }
  const total = [...bySource.values()].reduce((a, b) => a + b, 0);
  return {
    file: 'index.js',
    rawBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    wranglerReported: /Total Upload:[^\n]*/.exec(output)?.[0] ?? '',
    packages: [...bySource.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([source, bytes]) => ({ source, bytes, share: round(bytes / total, 3) })),
  };
}
export type BundleFigures = Awaited<ReturnType<typeof measureProductionBundle>>;

/**
 * `wrangler check startup` on the production Worker (the flags of `npm run build`),
 * OPTIONS.startupRuns times: wrangler's "Active" time (sampled, not idle, GC included), the median
 * reported; undefined when it fails.
 */
export async function measureStartup(run: BenchRun) {
  const runs: { activeMs: number; gcMs: number; samples: number; bundle: string }[] = [];
  for (let i = 0; i < OPTIONS.startupRuns; i++) {
    const profile = join(run.tmp, `startup-${i}.cpuprofile`);
    // One argv element: a separate value starting with -- would be read as wrangler's own flags.
    const args = ['check', 'startup', '--args=--env production --minify', '--outfile', profile];
    const output = await run.wrangler(`check-startup-${i}`, args).catch((error: unknown) => {
      run.say(`warning: wrangler check startup failed: ${String(error).slice(0, 300)}`);
    });
    if (!output) break;
    const num = (re: RegExp) => Number(re.exec(output)?.[1] ?? Number.NaN);
    runs.push({
      activeMs: num(/Active:\s*([\d.]+)\s*ms/),
      gcMs: num(/including\s*([\d.]+)\s*ms garbage/),
      samples: num(/Samples:\s*(\d+)/),
      bundle: /Bundle:[^\n]*/.exec(output)?.[0]?.trim() ?? '',
    });
  }
  if (runs.length === 0) return undefined;
  return {
    activeMs: roundedStats(runs.map((r) => r.activeMs)),
    gcMs: roundedStats(runs.map((r) => r.gcMs)),
    samples: runs.map((r) => r.samples),
    bundle: runs[0]?.bundle ?? '',
  };
}
