/**
 * bench/RESULTS.md: a short header (when, where, what ran, how to rerun), the targets table, and
 * one compact table per phase; every figure with its samples stays in bench/results.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASES, type CaseName, D1_CASES, type D1CaseName, DEV_LOG_LINE, MICRO_CASES } from '../cases.ts';
import type { BenchRun } from '../processes.ts';
import { BENCH, HTTP_PATHS, ROOT } from '../settings.ts';
import { fmt, type Stats } from '../stats.ts';
import type { Results } from './results.ts';
import { formatCount } from './targets.ts';

const table = (head: string[], rows: (string | number)[][]) =>
  [head, head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
const PARTS: Record<string, string> = { ...MICRO_CASES, [DEV_LOG_LINE.name]: DEV_LOG_LINE.what };

export function renderMarkdown(r: Results): string {
  const { date, durationSeconds, machine: m, versions, options: o } = r.meta;
  const knobs = `BENCH_ROUNDS=${o.rounds} BENCH_HTTP_SECONDS=${o.httpSeconds} BENCH_CONNECTIONS=${o.connections} BENCH_ISOLATE_MS=${o.mainMixMs} BENCH_SIGNINS=${o.signInsPerRound} BENCH_D1_SESSIONS=${o.d1Sessions} BENCH_D1_MS=${o.d1MsPerRun}`;
  const http = (name: string) =>
    HTTP_PATHS.map((path) => {
      const c = r.http[path][name];
      return c ? `${c.rps.median} (${c.ratioToBare.median.toFixed(3)}×)` : '–';
    });
  const d1 = r.d1;
  const feedRow = (name: string, f: NonNullable<Results['feed']>['steady']) => [
    name,
    fmt(f.usPerPoll),
    fmt(f.cpuUsPerPoll),
    fmt(f.doUsPerCall, 2),
    f.doRowsReadPerCall.median,
    f.answerBytes,
  ];
  const ops = (s: Stats | undefined) => (s ? fmt(s, 0) : '–');
  const sections = [
    '# Benchmarks: the cost of authentication',
    `\`npm run bench\` on ${date.slice(0, 16).replace('T', ' ')} UTC, ${durationSeconds.toFixed(0)} s: ${o.rounds} rounds, cases interleaved round-robin, medians (min–max) over the samples, ratios and overheads paired against a baseline measured in the same run. Every figure with its samples: [results.json](results.json); how each is measured: the phase files in [phases/](phases/).`,
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}; load average ${m.loadAverageStart.join(' / ')} at the start, ${m.loadAverageEnd.join(' / ')} at the end. Versions: ${Object.entries(
      versions,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    `Rerun: \`${knobs} npm run bench\` (these knobs reproduce this run; the defaults are shorter), on an idle machine. \`node bench/run.ts --report\` renders this file again from results.json.`,
    '## Targets',
    table(
      ['target', 'measured', ''],
      r.targets.map((t) => [t.target, t.measured, t.met ? (t.report ? 'reported' : 'met') : '**missed**']),
    ),
    '## Cases: in the isolate (µs per request) and over HTTP (requests/s, × bare on the same path)',
    table(
      ['case', 'what', 'µs per request', 'over `bare` µs', 'D1 round trips / statements', ...HTTP_PATHS],
      Object.entries(r.isolate).map(([name, c]) => [
        `\`${name}\``,
        CASES[name as CaseName]?.what ?? '',
        fmt(c.usPerRequest),
        name === 'bare' ? '–' : fmt(c.overBareUs),
        `${c.d1RoundTripsPerRequest} / ${c.d1StatementsPerRequest}`,
        ...http(name),
      ]),
    ),
    '## The parts on their own (same isolate, same token)',
    table(
      ['part', 'what', 'µs per call'],
      Object.entries(r.micro).map(([name, c]) => [`\`${name}\``, PARTS[name] ?? '', fmt(c.usPerCall, 2)]),
    ),
    '## Sign-in (the whole flow against the loopback OIDC server)',
    table(
      [
        'Worker, path',
        'sign-ins',
        'callback server ms',
        'of which outbound ms',
        'outbound requests (discovery)',
        'per sign-in',
      ],
      Object.entries(r.signIn).map(([name, s]) => [
        name,
        s.signIns,
        fmt(s.callbackServerMs, 2),
        fmt(s.callbackOutboundMs, 2),
        `${s.outbound.total} (${s.outbound.discovery})`,
        s.outbound.perSignIn,
      ]),
    ),
    `## Revocation feed polls (REVOCATION_POLL = ${r.feed?.pollSeconds ?? '?'} s)`,
    r.feed
      ? table(
          [
            'poll',
            'wall µs (isolate)',
            'CPU µs (isolate + Durable Object)',
            'Durable Object µs',
            'rows read',
            'answer bytes',
          ],
          [
            feedRow('steady (nothing new)', r.feed.steady),
            feedRow(`full page (${r.feed.page.entries} entries)`, r.feed.page),
          ],
        )
      : 'Not measured.',
    `## D1 on a local D1 seeded with ${formatCount(d1.seeded.sessions)} sessions (${formatCount(d1.seeded.users)} users)`,
    table(
      [
        'operation',
        'what',
        '1 client, ops/s',
        '4 clients, ops/s',
        'D1 round trips / statements',
        'rows read / written',
        'D1 SQL ms',
      ],
      Object.entries(d1.cases).map(([op, byClients]) => {
        const meta = d1.meta[op as D1CaseName];
        return [
          `\`${op}\``,
          D1_CASES[op as D1CaseName].what,
          ops(byClients['1']?.perSecond),
          ops(byClients['4']?.perSecond),
          meta ? `${meta.roundTrips} / ${meta.statements}` : '–',
          meta ? `${meta.rowsRead} / ${meta.rowsWritten}` : '–',
          meta ? meta.sqlDurationMs : '–',
        ];
      }),
    ),
  ];
  return `${sections.join('\n\n')}\n`;
}

const JSON_PATH = join(BENCH, 'results.json');
const MARKDOWN_PATH = join(BENCH, 'RESULTS.md');

/** The committed bench/results.json. */
export const readResults = () => JSON.parse(readFileSync(JSON_PATH, 'utf8')) as Results;

/** Writes bench/RESULTS.md from `results` (and them to bench/results.json, unless only rendering); Biome lays both out. */
export async function writeResults(run: BenchRun, results: Results, json = true) {
  if (json) writeFileSync(JSON_PATH, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(MARKDOWN_PATH, renderMarkdown(results));
  const biome = join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
  await run
    .run('format', process.execPath, [biome, 'format', '--write', MARKDOWN_PATH, JSON_PATH])
    .catch((error: unknown) => run.say(`warning: biome could not format the results: ${String(error).slice(0, 300)}`));
}
