/** In the isolate: the Workers interleave their cases and the parts (GET /__bench/mix), every answer and D1 count checked. */
import {
  baselineOf,
  CASE_NAMES,
  CASES,
  type CaseName,
  casesOf,
  DEV_LOG_LINE,
  MICRO_CASE_NAMES,
  type MixResult,
  PEER_BASELINE,
} from '../cases.ts';
import { getJson, type Targets } from '../servers.ts';
import { OPTIONS } from '../settings.ts';
import { rotate, round, roundedStats, statsOf } from '../stats.ts';

/** One sample of every case named, interleaved in the Worker for `ms` (bench/workers/loops.ts runMix), checked. */
async function mix(base: string, cases: readonly string[], ms: number, micro = false): Promise<MixResult[]> {
  const query = `cases=${cases.map(encodeURIComponent).join(',')}&ms=${ms}&chunkMs=${OPTIONS.chunkMs}${micro ? '&micro=1' : ''}`;
  const results = await getJson<MixResult[]>(`${base}/__bench/mix?${query}`);
  for (const r of micro ? [] : results) {
    const expected = CASES[r.name as CaseName].d1RoundTrips;
    if ((r.statuses['200'] ?? 0) !== r.n)
      throw new Error(`in-isolate ${r.name}: not all 200: ${JSON.stringify(r.statuses)}`);
    if (r.d1RoundTripsPerRequest !== expected)
      throw new Error(`in-isolate ${r.name}: ${r.d1RoundTripsPerRequest} D1 round trips per request, not ${expected}`);
  }
  return results;
}

export function isolatePhase(targets: Targets) {
  const main = targets['workerd-socket'].main.base;
  const peer = targets['workerd-socket'].peer.base;
  const samples = Object.fromEntries(CASE_NAMES.map((c) => [c, [] as MixResult[]])) as Record<CaseName, MixResult[]>;
  /** µs per call of each part, and of the log line under wrangler dev. */
  const micro = Object.fromEntries([...MICRO_CASE_NAMES, DEV_LOG_LINE].map((c) => [c, [] as number[]]));
  return {
    /** A short mix of everything: code paths, credentials and checks warmed up. */
    async warmUp() {
      await mix(main, casesOf('main'), 300);
      await mix(peer, casesOf('peer'), 300);
      await mix(main, MICRO_CASE_NAMES, 300, true);
    },

    /** OPTIONS.isolatePasses passes of the three mixes, each pass starting one case further. */
    async round(r: number) {
      for (let pass = 0; pass < OPTIONS.isolatePasses; pass++) {
        const turn = r * OPTIONS.isolatePasses + pass;
        const cases = [
          ...(await mix(main, rotate(casesOf('main'), turn), OPTIONS.mainMixMs)),
          ...(await mix(peer, rotate(casesOf('peer'), turn), OPTIONS.peerMixMs)),
        ];
        for (const s of cases) samples[s.name as CaseName].push(s);
        for (const s of await mix(main, rotate(MICRO_CASE_NAMES, turn), OPTIONS.microMixMs, true))
          micro[s.name]?.push(s.usPerRequest);
      }
      // The same log line under wrangler dev, whose inspector receives every console call: once, in the
      // first round, for 300 ms. Each call costs wrangler dev's workerd open files it frees slowly (17-20 k
      // after a full run of 2 s per round, where the 20 k limit hung the bench); one short sample says it.
      if (r === 0) {
        const [devLog] = await mix(targets['wrangler-dev'].main.base, ['console-log-line'], 300, true);
        micro[DEV_LOG_LINE]?.push(devLog?.usPerRequest ?? Number.NaN);
      }
    },

    /** Per case: µs per request, its overhead over `bare` (a peer's over its own bare route too), D1 counted. */
    summary() {
      const us = (name: CaseName) => samples[name].map((r) => r.usPerRequest);
      const paired = (name: CaseName, base: CaseName, f: (a: number, b: number) => number, digits = 1) =>
        statsOf(us(name), (v, i) => f(v, us(base)[i] ?? Number.NaN), digits);
      const most = (name: CaseName, key: 'd1StatementsPerRequest' | 'd1RoundTripsPerRequest') =>
        round(Math.max(...samples[name].map((r) => r[key])), 3);
      const minus = (a: number, b: number) => a - b;
      const byCase = (name: CaseName) => ({
        usPerRequest: roundedStats(us(name)),
        usPerRequestAllChunks: roundedStats(samples[name].map((r) => r.usPerRequestAllChunks)),
        overBareUs: paired(name, 'bare', minus),
        ...(baselineOf(name) !== 'bare' ? { overBaselineUs: paired(name, baselineOf(name), minus) } : {}),
        ...(CASES[name].app === 'peer' ? { overPeerBareUs: paired(name, PEER_BASELINE, minus) } : {}),
        requests: samples[name].reduce((a, r) => a + r.n, 0),
        d1StatementsPerRequest: most(name, 'd1StatementsPerRequest'),
        d1RoundTripsPerRequest: most(name, 'd1RoundTripsPerRequest'),
      });
      return {
        isolate: Object.fromEntries(CASE_NAMES.map((name) => [name, byCase(name)])) as Record<
          CaseName,
          ReturnType<typeof byCase>
        >,
        micro: Object.fromEntries(Object.entries(micro).map(([name, s]) => [name, { usPerCall: roundedStats(s, 2) }])),
        bareOverFloor: paired('bare', 'floor', (a, b) => a / b, 2),
      };
    },
  };
}
