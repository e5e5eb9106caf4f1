/**
 * Inside the isolate: asks the bench Workers (on their workerd sockets) to interleave their cases
 * chunk by chunk (GET /__bench/mix), the product's and the floor in the main Worker, the peer's in
 * its own, and the parts of the fresh-cookie path on their own. Every response must be 200 with
 * the D1 round trips its case declares (bench/cases.ts). Overheads are paired within a sample.
 */
import {
  type BatchResult,
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
import { rotate, round, roundedStats, type Stats } from '../stats.ts';

const MAIN_CASES = casesOf('main');
const PEER_CASES = casesOf('peer');

/** One sample of every case named, interleaved in the Worker for `ms` (bench/workers/loops.ts runMix). */
async function mix(base: string, cases: readonly string[], ms: number, micro = false): Promise<MixResult[]> {
  const query = `cases=${cases.map(encodeURIComponent).join(',')}&ms=${ms}&chunkMs=${OPTIONS.chunkMs}${micro ? '&micro=1' : ''}`;
  const results = await getJson<MixResult[]>(`${base}/__bench/mix?${query}`);
  for (const r of results) {
    if (!micro && (r.statuses['200'] ?? 0) !== r.n) {
      throw new Error(`in-isolate ${r.name}: not every response was 200: ${JSON.stringify(r.statuses)}`);
    }
    const expected = micro ? undefined : CASES[r.name as CaseName].d1RoundTrips;
    if (expected !== undefined && r.d1RoundTripsPerRequest !== expected) {
      throw new Error(`in-isolate ${r.name}: ${r.d1RoundTripsPerRequest} D1 round trips per request, not ${expected}`);
    }
  }
  return results;
}

export function isolatePhase(targets: Targets) {
  const main = targets['workerd-socket'].main.base;
  const peer = targets['workerd-socket'].peer.base;
  const samples = Object.fromEntries(CASE_NAMES.map((c) => [c, [] as MixResult[]])) as Record<CaseName, MixResult[]>;
  /** µs per call of each part, and of the log line under wrangler dev. */
  const micro = Object.fromEntries([...MICRO_CASE_NAMES, DEV_LOG_LINE.name].map((c) => [c, [] as number[]]));
  let timerCheck = { n: 2_000, insideUs: Number.NaN, outsideUs: Number.NaN };

  return {
    /** A short mix of everything, then the timer check: one plain batch of `bare` timed inside and from outside. */
    async warmUp() {
      await mix(main, MAIN_CASES, 300);
      await mix(peer, PEER_CASES, 300);
      await mix(main, MICRO_CASE_NAMES, 300, true);
      const t0 = performance.now();
      const batch = await getJson<BatchResult>(`${main}/__bench/run?case=bare&n=${timerCheck.n}`);
      const outsideUs = ((performance.now() - t0) * 1000) / timerCheck.n;
      if (batch.statuses['200'] !== batch.n) throw new Error(`timer check: ${JSON.stringify(batch.statuses)}`);
      timerCheck = { n: batch.n, insideUs: round(batch.usPerRequest), outsideUs: round(outsideUs) };
      return timerCheck;
    },

    /** OPTIONS.isolatePasses passes of the three mixes, each pass starting one case further. */
    async round(r: number) {
      for (let pass = 0; pass < OPTIONS.isolatePasses; pass++) {
        const turn = r * OPTIONS.isolatePasses + pass;
        for (const s of await mix(main, rotate(MAIN_CASES, turn), OPTIONS.mainMixMs))
          samples[s.name as CaseName].push(s);
        for (const s of await mix(peer, rotate(PEER_CASES, turn), OPTIONS.peerMixMs))
          samples[s.name as CaseName].push(s);
        for (const s of await mix(main, rotate(MICRO_CASE_NAMES, turn), OPTIONS.microMixMs, true)) {
          micro[s.name]?.push(s.usPerRequest);
        }
      }
      // The same log line under wrangler dev, whose inspector receives every console call.
      const dev = targets['wrangler-dev'].main.base;
      const devLog = await getJson<BatchResult>(`${dev}/__bench/micro?case=console-log-line&n=1000`);
      micro[DEV_LOG_LINE.name]?.push(devLog.usPerRequest);
    },

    /** µs per request of every case, its overhead over `bare` (and a peer's over its own bare route), D1 counted. */
    summary() {
      const us = (name: CaseName) => samples[name].map((r) => r.usPerRequest);
      const over = (name: CaseName, base: CaseName) =>
        roundedStats(us(name).map((v, i) => v - (us(base)[i] ?? Number.NaN)));
      const most = (name: CaseName, key: 'd1StatementsPerRequest' | 'd1RoundTripsPerRequest') =>
        round(Math.max(...samples[name].map((r) => r[key])), 3);
      const isolate = Object.fromEntries(
        CASE_NAMES.map((name) => [
          name,
          {
            usPerRequest: roundedStats(us(name)),
            usPerRequestAllChunks: roundedStats(samples[name].map((r) => r.usPerRequestAllChunks)),
            overBareUs: over(name, 'bare'),
            ...(CASES[name].app === 'peer' ? { overPeerBareUs: over(name, PEER_BASELINE) } : {}),
            requests: samples[name].reduce((a, r) => a + r.n, 0),
            d1StatementsPerRequest: most(name, 'd1StatementsPerRequest'),
            d1RoundTripsPerRequest: most(name, 'd1RoundTripsPerRequest'),
          },
        ]),
      ) as Record<CaseName, IsolateCase>;
      const usPerCall = Object.entries(micro).map(([name, s]) => [name, { usPerCall: roundedStats(s, 2) }] as const);
      const bareOverFloor = roundedStats(
        us('bare').map((v, i) => v / (us('floor')[i] ?? Number.NaN)),
        2,
      );
      return { timerCheck, isolate, micro: Object.fromEntries(usPerCall), bareOverFloor };
    },
  };
}

export interface IsolateCase {
  usPerRequest: Stats;
  usPerRequestAllChunks: Stats;
  overBareUs: Stats;
  overPeerBareUs?: Stats;
  requests: number;
  d1StatementsPerRequest: number;
  d1RoundTripsPerRequest: number;
}
