/** bench/RESULTS.md: a short header, the targets table, one compact table per phase (the detail: results.json). */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRun } from '../processes.ts';
import { BENCH, HTTP_PATHS, ROOT } from '../settings.ts';
import { fmt } from '../stats.ts';
import type { Results } from './results.ts';
import { formatCount } from './targets.ts';

function table(title: string, head: string[], rows: (string | number)[][]) {
  const lines = [head, head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`);
  return `## ${title}\n\n${lines.join('\n')}`;
}

export function renderMarkdown(r: Results): string {
  const { date, durationSeconds, machine: m, versions, options: o } = r.meta;
  const knobs = `BENCH_ROUNDS=${o.rounds} BENCH_HTTP_SECONDS=${o.httpSeconds} BENCH_CONNECTIONS=${o.connections} BENCH_ISOLATE_MS=${o.mainMixMs} BENCH_SIGNINS=${o.signInsPerRound} BENCH_D1_SESSIONS=${o.d1Sessions} BENCH_D1_MS=${o.d1MsPerRun}`;
  const http = (name: string) =>
    HTTP_PATHS.map((path) => {
      const c = r.http[path][name];
      return c ? `${c.rps.median} (${c.ratioToBare.median.toFixed(3)}×)` : '–';
    });
  const d1 = r.d1;
  return `${[
    '# Benchmarks: the cost of authentication',
    `\`npm run bench\` on ${date.slice(0, 16).replace('T', ' ')} UTC, ${durationSeconds.toFixed(0)} s, ${o.rounds} rounds: cases interleaved round-robin, medians (min–max) over the samples, ratios and overheads paired against a baseline measured in the same run. What each case is: [bench/README.md#cases](./README.md#cases); every figure with its samples: [results.json](results.json); how each is measured: [phases/](phases/).`,
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}; load average ${m.loadAverageStart.join(' / ')} at the start, ${m.loadAverageEnd.join(' / ')} at the end. Versions: ${Object.entries(
      versions,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    `Rerun on an idle machine: \`${knobs} npm run bench\` (this run's knobs; the defaults are shorter). \`node bench/run.ts --report\` renders this file again from results.json.`,
    table(
      'Targets',
      ['target', 'measured', ''],
      r.targets.map((t) => [t.target, t.measured, t.met ? (t.report ? 'reported' : 'met') : '**missed**']),
    ),
    table(
      'In the isolate (µs per request) and over HTTP (requests/s, × bare on the same path)',
      ['case', 'µs per request', 'over `bare` µs', 'D1 round trips / statements', ...HTTP_PATHS],
      Object.entries(r.isolate).map(([name, c]) => [
        `\`${name}\``,
        fmt(c.usPerRequest),
        name === 'bare' ? '–' : fmt(c.overBareUs),
        `${c.d1RoundTripsPerRequest} / ${c.d1StatementsPerRequest}`,
        ...http(name),
      ]),
    ),
    table(
      'The parts on their own (same isolate, same token)',
      ['part', 'µs per call'],
      Object.entries(r.micro).map(([name, c]) => [`\`${name}\``, fmt(c.usPerCall, 2)]),
    ),
    table(
      'Sign-in (the whole flow against the loopback OIDC server)',
      ['Worker, path', 'sign-ins', 'callback server ms', 'of which outbound ms', 'outbound requests (discovery)'],
      Object.entries(r.signIn).map(([name, s]) => {
        const { total, discovery } = s.outbound;
        return [name, s.signIns, fmt(s.callbackServerMs, 2), fmt(s.callbackOutboundMs, 2), `${total} (${discovery})`];
      }),
    ),
    table(
      `D1 on a local D1 seeded with ${formatCount(d1.seeded.sessions)} sessions (${formatCount(d1.seeded.users)} users)`,
      [
        'operation',
        '1 client, ops/s',
        '4 clients, ops/s',
        'D1 round trips / statements',
        'rows read / written',
        'SQL ms',
      ],
      Object.entries(d1.cases).map(([op, byClients]) => {
        const meta = d1.meta[op];
        const perSecond = (clients: string) => fmt(byClients[clients]?.perSecond, 0);
        const counts = meta
          ? [`${meta.roundTrips} / ${meta.statements}`, `${meta.rowsRead} / ${meta.rowsWritten}`, meta.sqlDurationMs]
          : ['–', '–', '–'];
        return [`\`${op}\``, perSecond('1'), perSecond('4'), ...counts];
      }),
    ),
  ].join('\n\n')}\n`;
}

const JSON_PATH = join(BENCH, 'results.json');
const MARKDOWN_PATH = join(BENCH, 'RESULTS.md');

/** The committed bench/results.json. */
export const readResults = () => JSON.parse(readFileSync(JSON_PATH, 'utf8')) as Results;

/** Writes bench/RESULTS.md (and bench/results.json, unless only rendering); Biome lays both out. */
export async function writeResults(run: BenchRun, results: Results, json = true) {
  if (json) writeFileSync(JSON_PATH, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(MARKDOWN_PATH, renderMarkdown(results));
  const biome = join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  await run.run('format', process.execPath, [biome, 'format', '--write', MARKDOWN_PATH, JSON_PATH]);
}
