/** Over HTTP: autocannon against every `http` case through the three paths, every response 200; ratios paired per round. */
import autocannon from 'autocannon';
import {
  type BenchCase,
  baselineOf,
  CASES,
  type CaseName,
  type Credentials,
  HTTP_CASE_NAMES,
  workerOf,
} from '../cases.ts';
import { getJson, type Targets } from '../servers.ts';
import { HTTP_PATHS, type HttpPath, OPTIONS } from '../settings.ts';
import { percentile, rotate, statsOf } from '../stats.ts';

type HttpSample = { rps: number; p50: number; p99: number; requests: number };
type LoadRequest = { url: string; headers: Record<string, string> };

/** `seconds` of autocannon against one request: requests/s and latency percentiles over every response. */
async function load({ url, headers }: LoadRequest, seconds: number): Promise<HttpSample> {
  const latencies: number[] = [];
  const bad: number[] = [];
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((done, reject) => {
    const options = { url, headers, connections: OPTIONS.connections, pipelining: 1, duration: seconds };
    autocannon(options, (error, res) => (error ? reject(error) : done(res))).on(
      'response',
      (_client, status, _bytes, ms) => {
        latencies.push(ms);
        if (status !== 200) bad.push(status);
      },
    );
  });
  const elapsed = (performance.now() - t0) / 1000;
  if (bad.length || result.errors || result.timeouts) {
    throw new Error(
      `${url}: ${bad.length} non-200 (first ${bad[0]}), ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  return { rps: requests / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), requests };
}

export function httpPhase(targets: Targets) {
  const samples = Object.fromEntries(
    HTTP_PATHS.map((path) => [path, Object.fromEntries(HTTP_CASE_NAMES.map((c) => [c, [] as HttpSample[]]))]),
  ) as Record<HttpPath, Record<CaseName, HttpSample[]>>;

  /** Every HTTP case's request on `path`, with credentials minted now by the Worker serving it. */
  async function requests(path: HttpPath): Promise<Record<string, LoadRequest>> {
    const { main, peer } = targets[path];
    const credentials = {
      main: await getJson<Credentials>(`${main.base}/__bench/credentials`),
      peer: await getJson<Credentials>(`${peer.base}/__bench/credentials`),
    };
    const request = (name: CaseName) => {
      const headers = credentials[workerOf(name)][CASES[name].credential];
      if (!headers || Array.isArray(headers)) throw new Error(`${path}: no single credential for ${name}`);
      // A gated or pass-through host is picked by the Host header, whatever port is dialled.
      const origin = (CASES[name] as BenchCase).origin;
      const host = origin ? { host: new URL(origin).host } : {};
      return [
        name,
        { url: `${targets[path][workerOf(name)].base}${CASES[name].path}`, headers: { ...headers, ...host } },
      ];
    };
    return Object.fromEntries(HTTP_CASE_NAMES.map(request));
  }

  return {
    /** A short load of every case on every path (and a check that each answers 200). */
    async warmUp() {
      for (const path of HTTP_PATHS) {
        const byCase = await requests(path);
        for (const name of HTTP_CASE_NAMES) await load(byCase[name] as LoadRequest, OPTIONS.httpWarmupSeconds);
      }
    },

    /** One sample of every case on every path, paths and cases each starting one further per round. */
    async round(r: number, say: (message: string) => void) {
      for (const path of rotate(HTTP_PATHS, r)) {
        say(`round ${r + 1}/${OPTIONS.rounds}: HTTP via ${path}`);
        const byCase = await requests(path);
        for (const name of rotate(HTTP_CASE_NAMES, r))
          samples[path][name].push(await load(byCase[name] as LoadRequest, OPTIONS.httpSeconds));
      }
    },

    /** Per path and case: requests/s, its ratio to `bare` (and to its own baseline), paired per round, p50/p99 ms. */
    summary() {
      const ratio = (path: HttpPath, s: HttpSample[], base: CaseName) =>
        statsOf(s, (x, i) => x.rps / (samples[path][base][i]?.rps ?? Number.NaN), 3);
      const byCase = (path: HttpPath, s: HttpSample[], name: CaseName) => ({
        rps: statsOf(s, (x) => x.rps, 0),
        ratioToBare: ratio(path, s, 'bare'),
        ...(baselineOf(name) !== 'bare' ? { ratioToBaseline: ratio(path, s, baselineOf(name)) } : {}),
        p50Ms: statsOf(s, (x) => x.p50, 2),
        p99Ms: statsOf(s, (x) => x.p99, 2),
        requests: s.reduce((a, x) => a + x.requests, 0),
      });
      const byPath = (path: HttpPath) =>
        Object.fromEntries(HTTP_CASE_NAMES.map((name) => [name, byCase(path, samples[path][name], name)]));
      return Object.fromEntries(HTTP_PATHS.map((path) => [path, byPath(path)])) as Record<
        HttpPath,
        ReturnType<typeof byPath>
      >;
    },
  };
}
