/**
 * Phase 1, inside the isolate: asks the bench Workers (on their workerd sockets) to interleave
 * their cases chunk by chunk (GET /__bench/mix), the product's and the floor in the main Worker,
 * the peer's in its own, and the parts of the fresh-cookie path on their own. Every response must
 * be 200 with the D1 round trips its case declares (bench/cases.ts).
 */
import {
  CASES,
  type CaseName,
  casesOf,
  DEV_LOG_LINE,
  type LoopResult,
  MICRO_CASE_NAMES,
  type MixResult,
} from './cases.ts';
import { getJson, type Targets } from './servers.ts';
import { OPTIONS } from './settings.ts';
import { rotate } from './stats.ts';

const MAIN_CASES = casesOf('main');
const PEER_CASES = casesOf('peer');

/** One sample of every case named, interleaved in the Worker for `ms` (bench/worker-loops.ts runMix). */
async function mix(base: string, cases: readonly string[], ms: number, micro = false): Promise<MixResult[]> {
  const query = `cases=${cases.map(encodeURIComponent).join(',')}&ms=${ms}&chunkMs=${OPTIONS.chunkMs}${micro ? '&micro=1' : ''}`;
  const { results } = await getJson<{ results: MixResult[] }>(`${base}/__bench/mix?${query}`);
  for (const r of results) {
    const ok = Object.keys(r.statuses).length === 0 || (r.statuses['200'] ?? 0) === r.n;
    if (!ok) throw new Error(`in-isolate ${r.name}: not every response was 200: ${JSON.stringify(r.statuses)}`);
    const expected = micro ? undefined : CASES[r.name as CaseName].d1RoundTrips;
    if (expected !== undefined && r.d1RoundTripsPerRequest !== expected) {
      throw new Error(`in-isolate ${r.name}: ${r.d1RoundTripsPerRequest} D1 round trips per request, not ${expected}`);
    }
  }
  return results;
}

/** One plain batch of `n` requests of a case (GET /__bench/run), with its cost seen from outside too. */
export async function isolateRun(base: string, name: CaseName, n: number): Promise<LoopResult & { outsideUs: number }> {
  const t0 = performance.now();
  const result = await getJson<LoopResult>(`${base}/__bench/run?case=${encodeURIComponent(name)}&n=${n}`);
  const outsideMs = performance.now() - t0;
  const ok = result.statuses['200'] ?? 0;
  if (ok !== n) throw new Error(`in-isolate ${name}: not every response was 200: ${JSON.stringify(result.statuses)}`);
  return { ...result, outsideUs: (outsideMs * 1000) / n };
}

export interface TimerCheck {
  case: CaseName;
  n: number;
  insideUs: number;
  outsideUs: number;
}

export function isolatePhase(targets: Targets) {
  const direct = targets['workerd-socket'];
  const samples = {
    isolate: Object.fromEntries([...MAIN_CASES, ...PEER_CASES].map((c) => [c, [] as MixResult[]])) as Record<
      CaseName,
      MixResult[]
    >,
    /** µs per call of each part, and of the log line under wrangler dev. */
    micro: Object.fromEntries([...MICRO_CASE_NAMES, DEV_LOG_LINE.name].map((c) => [c, [] as number[]])),
  };

  return {
    samples,

    /** A short mix of everything, then the timer check: one batch of `bare` timed inside and from outside. */
    async warmUp(): Promise<TimerCheck> {
      await mix(direct.main.base, MAIN_CASES, 300);
      await mix(direct.peer.base, PEER_CASES, 300);
      await mix(direct.main.base, MICRO_CASE_NAMES, 300, true);
      const check = await isolateRun(direct.main.base, 'bare', 2_000);
      return { case: 'bare', n: 2_000, insideUs: check.usPerRequest, outsideUs: check.outsideUs };
    },

    /** OPTIONS.isolatePasses passes of the three mixes, each pass starting one case further. */
    async round(round: number) {
      for (let pass = 0; pass < OPTIONS.isolatePasses; pass++) {
        const turn = round * OPTIONS.isolatePasses + pass;
        for (const r of await mix(direct.main.base, rotate(MAIN_CASES, turn), OPTIONS.mainMixMs)) {
          samples.isolate[r.name as CaseName].push(r);
        }
        for (const r of await mix(direct.peer.base, rotate(PEER_CASES, turn), OPTIONS.peerMixMs)) {
          samples.isolate[r.name as CaseName].push(r);
        }
        for (const r of await mix(direct.main.base, rotate(MICRO_CASE_NAMES, turn), OPTIONS.microMixMs, true)) {
          samples.micro[r.name]?.push(r.usPerRequest);
        }
      }
      // The same log line under wrangler dev, whose inspector receives every console call.
      const devLog = await getJson<{ usPerRequest: number }>(
        `${targets['wrangler-dev'].main.base}/__bench/micro?case=console-log-line&n=1000`,
      );
      samples.micro[DEV_LOG_LINE.name]?.push(devLog.usPerRequest);
    },
  };
}
