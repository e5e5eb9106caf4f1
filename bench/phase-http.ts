/**
 * Phase 2, over HTTP: autocannon on loopback against every case of bench/cases.ts marked `http`,
 * through each of the three paths into the Workers (settings.ts HTTP_PATHS), every response
 * checked to be 200. Credentials are minted afresh by the Workers every round (they live
 * SESSION_TOKEN_TTL).
 */
import autocannon from 'autocannon';
import { CASES, type CaseName, type Credentials, HTTP_CASE_NAMES, workerOf } from './cases.ts';
import { getJson, type Targets } from './servers.ts';
import { HTTP_PATHS, type HttpPath, OPTIONS } from './settings.ts';
import { percentile, rotate } from './stats.ts';

export interface HttpSample {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

interface LoadRequest {
  url: string;
  headers: Record<string, string>;
}

/** `seconds` of autocannon against one request: requests/s and latency percentiles over every response. */
async function load({ url, headers }: LoadRequest, seconds: number): Promise<HttpSample> {
  const latencies: number[] = [];
  let bad = 0;
  let firstBad = '';
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((done, reject) => {
    const instance = autocannon(
      { url, headers, connections: OPTIONS.connections, pipelining: 1, duration: seconds },
      (error, res) => (error ? reject(error) : done(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode !== 200) {
        bad++;
        firstBad ||= String(statusCode);
      }
    });
  });
  const elapsed = (performance.now() - t0) / 1000;
  if (bad || result.errors || result.timeouts) {
    throw new Error(`${url}: ${bad} non-200 (first ${firstBad}), ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
  };
}

export function httpPhase(targets: Targets) {
  const samples = Object.fromEntries(
    HTTP_PATHS.map((path) => [path, Object.fromEntries(HTTP_CASE_NAMES.map((c) => [c, [] as HttpSample[]]))]),
  ) as Record<HttpPath, Record<CaseName, HttpSample[]>>;

  /** Every HTTP case's request on `path`, with credentials minted now by the Worker serving it. */
  async function requests(path: HttpPath): Promise<Record<string, LoadRequest>> {
    const credentials = {
      main: await getJson<Credentials>(`${targets[path].main.base}/__bench/credentials`),
      peer: await getJson<Credentials>(`${targets[path].peer.base}/__bench/credentials`),
    };
    return Object.fromEntries(
      HTTP_CASE_NAMES.map((name) => {
        const worker = workerOf(name);
        const headers = credentials[worker][CASES[name].credential];
        if (!headers || Array.isArray(headers)) {
          throw new Error(`${path} ${worker}: no single credential ${CASES[name].credential} for ${name}`);
        }
        return [name, { url: `${targets[path][worker].base}${CASES[name].path}`, headers }];
      }),
    );
  }

  return {
    samples,

    /** A short load of every case on every path (and a check that each answers 200). */
    async warmUp() {
      for (const path of HTTP_PATHS) {
        const byCase = await requests(path);
        for (const name of HTTP_CASE_NAMES) await load(byCase[name] as LoadRequest, OPTIONS.httpWarmupSeconds);
      }
    },

    /** One sample of every case on every path, paths and cases each starting one further per round. */
    async round(round: number, say: (message: string) => void) {
      for (const path of rotate(HTTP_PATHS, round)) {
        say(`round ${round + 1}/${OPTIONS.rounds}: HTTP via ${path}`);
        const byCase = await requests(path);
        for (const name of rotate(HTTP_CASE_NAMES, round)) {
          samples[path][name].push(await load(byCase[name] as LoadRequest, OPTIONS.httpSeconds));
        }
      }
    },
  };
}
