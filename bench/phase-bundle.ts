/**
 * Phase 4, the production bundle: `npm run build`'s `wrangler deploy --dry-run --env production
 * --minify`, into the run's temp dir (dist/ is left alone) with esbuild's metafile, measured
 * minified and gzip -9, with its largest contributors by package; and its startup CPU time,
 * `wrangler check startup` (the same build flags; it runs the Worker's top level in a local
 * workerd under the V8 profiler and writes the CPU profile), a few times, the median reported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchRun } from './processes.ts';
import { OPTIONS } from './settings.ts';

export interface BundleFigures {
  file: string;
  rawBytes: number;
  gzipBytes: number;
  wranglerReported: string;
  packages: { source: string; bytes: number; share: number }[];
}

function bundleFigures(outdir: string, buildOutput: string): BundleFigures {
  const file = join(outdir, 'index.js');
  const code = readFileSync(file);
  const meta = JSON.parse(readFileSync(join(outdir, 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const bySource = new Map<string, number>();
  for (const [out, output] of Object.entries(meta.outputs)) {
    if (!out.endsWith('.js')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const nm = input.lastIndexOf('node_modules/');
      let source = input.startsWith('src/') ? 'src (Sitewide)' : input;
      if (nm !== -1) {
        const parts = input.slice(nm + 'node_modules/'.length).split('/');
        source = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
      }
      bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
    }
  }
  const total = [...bySource.values()].reduce((a, b) => a + b, 0);
  return {
    file: 'index.js',
    rawBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    wranglerReported: /Total Upload:[^\n]*/.exec(buildOutput)?.[0] ?? '',
    packages: [...bySource.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([source, bytes]) => ({ source, bytes, share: bytes / total })),
  };
}

/** Builds the production bundle and measures it. */
export async function measureProductionBundle(run: BenchRun): Promise<BundleFigures> {
  const outdir = join(run.tmp, 'build', 'prod');
  const output = await run.wrangler('build-production', [
    ...['deploy', '--dry-run', '--env', 'production', '--outdir', outdir],
    ...['--minify', '--metafile', join(outdir, 'meta.json')],
  ]);
  return bundleFigures(outdir, output);
}

/** One `wrangler check startup` run: what it printed, and the profile's own sums. */
export interface StartupRun {
  /** "Active" in wrangler's summary: sampled time not idle, GC included (ms). */
  activeMs: number;
  gcMs: number;
  profileWindowMs: number;
  samples: number;
  /** wrangler's "Bundle:" line (the bundle it built and profiled). */
  bundle: string;
}

/** Reads wrangler's summary lines, e.g. "Active: 21.7 ms (including 1.8 ms garbage collection)". */
function parseStartup(output: string, profilePath: string): StartupRun {
  const num = (re: RegExp) => Number(re.exec(output)?.[1] ?? Number.NaN);
  const activeMs = num(/Active:\s*([\d.]+)\s*ms/);
  // Without the summary (another wrangler version), the profile itself: time of non-idle samples.
  let fallback = Number.NaN;
  if (Number.isNaN(activeMs)) {
    const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as {
      nodes: { id: number; callFrame: { functionName: string } }[];
      samples: number[];
      timeDeltas: number[];
    };
    const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
    fallback = profile.samples.reduce((a, id, i) => a + (idle.has(id) ? 0 : (profile.timeDeltas[i] ?? 0)), 0) / 1000;
  }
  return {
    activeMs: Number.isNaN(activeMs) ? fallback : activeMs,
    gcMs: num(/including\s*([\d.]+)\s*ms garbage/),
    profileWindowMs: num(/Profile window:\s*([\d.]+)\s*ms/),
    samples: num(/Samples:\s*(\d+)/),
    bundle: /Bundle:[^\n]*/.exec(output)?.[0]?.trim() ?? '',
  };
}

/**
 * `wrangler check startup` on the production Worker (`--env production --minify`, as `npm run
 * build`), OPTIONS.startupRuns times; undefined when this wrangler has no such command.
 */
export async function measureStartup(run: BenchRun): Promise<StartupRun[] | undefined> {
  const runs: StartupRun[] = [];
  for (let i = 0; i < OPTIONS.startupRuns; i++) {
    const profile = join(run.tmp, `startup-${i}.cpuprofile`);
    let output: string;
    try {
      output = await run.wrangler(`check-startup-${i}`, [
        // One argv element: a separate value starting with -- would be read as wrangler's own flags.
        ...['check', 'startup', '--args=--env production --minify', '--outfile', profile],
      ]);
    } catch (error) {
      run.say(`warning: wrangler check startup failed: ${String(error).slice(0, 300)}`);
      return runs.length ? runs : undefined;
    }
    runs.push(parseStartup(output, profile));
  }
  return runs;
}
