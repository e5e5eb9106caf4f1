/**
 * Phase 4, the production bundle: `npm run build`'s `wrangler deploy --dry-run --env production
 * --minify`, into the run's temp dir (dist/ is left alone) with esbuild's metafile, measured
 * minified and gzip -9, with its largest contributors by package.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchRun } from './processes.ts';

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
