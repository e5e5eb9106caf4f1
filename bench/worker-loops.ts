/**
 * The in-isolate loops of the two bench Workers, inside workerd: one case's request sent to its
 * handler n times (`runLoop`), a bare operation n times (`runMicro`), and several of either
 * interleaved chunk by chunk (`runMix`, the figures of the report).
 */
import type { LoopResult, MixResult } from './cases';
import { countingD1, type D1Counter, outboundTotalSoFar } from './worker-counters';

/** What one bench case sends: built once, then passed to `app.fetch` n times (a pool: its requests in turn). */
export interface BenchRequest {
  requests: readonly Request[];
  /** The Hono app (or any fetch handler) under test. */
  handler: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
  env: Env;
}

/** The bench request's env with D1 counted (the peer Worker has no D1 binding: nothing to count there). */
function countedEnv(env: Env): { env: Env; counter: D1Counter } {
  if (!env.DB) return { env, counter: { statements: 0, roundTrips: 0 } };
  const { db, counter } = countingD1(env.DB);
  return { env: { ...env, DB: db }, counter };
}

/**
 * The in-isolate figure: sends the same request to the app n times (after a warm-up),
 * reading every body, timed with performance.now() around the whole loop.
 * D1 statements are counted through a Proxy on env.DB for the whole loop.
 */
export async function runLoop(name: string, n: number, bench: BenchRequest, ctx: ExecutionContext) {
  const { handler } = bench;
  const next = nextRequest(bench.requests);
  const { env, counter } = countedEnv(bench.env);
  const statuses: Record<string, number> = {};
  const warmup = Math.min(200, Math.max(10, Math.floor(n / 20)));
  for (let i = 0; i < warmup; i++) await (await handler(next(), env, ctx)).arrayBuffer();
  counter.statements = 0;
  counter.roundTrips = 0;
  const outboundBefore = outboundTotalSoFar();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await handler(next(), env, ctx);
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  }
  const ms = performance.now() - t0;
  const result: LoopResult = {
    case: name,
    n,
    ms,
    usPerRequest: (ms * 1000) / n,
    statuses,
    d1Statements: counter.statements,
    d1StatementsPerRequest: counter.statements / n,
    d1RoundTrips: counter.roundTrips,
    d1RoundTripsPerRequest: counter.roundTrips / n,
    outboundFetches: outboundTotalSoFar() - outboundBefore,
  };
  return result;
}

/** Times a bare async operation n times (for the cost breakdown: verify, sign, …). */
export async function runMicro(name: string, n: number, op: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(200, n); i++) await op();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await op();
  const ms = performance.now() - t0;
  return { case: name, n, ms, usPerRequest: (ms * 1000) / n };
}

/** One entry of a mix: an operation run `chunk` times in a row, timed per chunk. */
export interface MixEntry {
  name: string;
  /** One operation: a request through the app (returns its status) or a bare operation. */
  op: () => Promise<number | undefined>;
  /** Read after the mix: D1 traffic this entry caused (request cases only). */
  counter?: D1Counter;
}

/**
 * The in-isolate figure, interleaved finely: every entry runs in chunks of about `chunkMs`, one
 * chunk of each entry in turn, cycle after cycle until `budgetMs` has passed (at least
 * `minCycles`). Whatever else the machine does lands on every entry alike, so the differences
 * between entries hold even when the absolute figures wander. Chunks are timed with
 * performance.now(), which advances in 1 ms steps in workerd: the rounding averages out over
 * the cycles (each chunk starts at a random phase of the tick).
 */
export async function runMix(
  entries: MixEntry[],
  options: { budgetMs: number; chunkMs: number; minCycles: number },
): Promise<{ cycles: number; results: MixResult[] }> {
  // Calibrate the chunk sizes (and warm up): time a few operations of each entry.
  const chunks = new Map<string, number>();
  for (const entry of entries) {
    let n = 0;
    const t0 = performance.now();
    while (n < 5 || (performance.now() - t0 < 20 && n < 5_000)) {
      await entry.op();
      n++;
    }
    const per = Math.max((performance.now() - t0) / n, 0.0005);
    chunks.set(entry.name, Math.max(1, Math.round(options.chunkMs / per)));
  }
  const totals = new Map(
    entries.map((e) => [
      e.name,
      { n: 0, ms: 0, statuses: {} as Record<string, number>, chunks: [] as { n: number; ms: number }[] },
    ]),
  );
  for (const e of entries) if (e.counter) Object.assign(e.counter, { statements: 0, roundTrips: 0 });
  let cycles = 0;
  const started = performance.now();
  while (cycles < options.minCycles || performance.now() - started < options.budgetMs) {
    for (const entry of cycles % 2 ? [...entries].reverse() : entries) {
      const chunk = chunks.get(entry.name) ?? 1;
      const total = totals.get(entry.name);
      if (!total) continue;
      const t0 = performance.now();
      for (let i = 0; i < chunk; i++) {
        const status = await entry.op();
        if (status !== undefined) total.statuses[status] = (total.statuses[status] ?? 0) + 1;
      }
      const ms = performance.now() - t0;
      total.ms += ms;
      total.n += chunk;
      total.chunks.push({ n: chunk, ms });
    }
    cycles++;
  }
  return {
    cycles,
    results: entries.map((entry) => {
      const total = totals.get(entry.name) ?? { n: 0, ms: 0, statuses: {}, chunks: [] };
      const ranked = [...total.chunks].sort((a, b) => a.ms / a.n - b.ms / b.n);
      const cut = Math.floor(ranked.length * 0.2);
      const middle = ranked.slice(cut, ranked.length - cut);
      const sum = (list: { n: number; ms: number }[], key: 'n' | 'ms') => list.reduce((a, c) => a + c[key], 0);
      return {
        name: entry.name,
        n: total.n,
        ms: total.ms,
        usPerRequest: (sum(middle, 'ms') * 1000) / Math.max(1, sum(middle, 'n')),
        usPerRequestAllChunks: (total.ms * 1000) / Math.max(1, total.n),
        chunks: total.chunks.length,
        statuses: total.statuses,
        d1StatementsPerRequest: (entry.counter?.statements ?? 0) / Math.max(1, total.n),
        d1RoundTripsPerRequest: (entry.counter?.roundTrips ?? 0) / Math.max(1, total.n),
      };
    }),
  };
}

/** The case's requests in turn (one request: always that one). */
function nextRequest(requests: readonly Request[]): () => Request {
  if (requests.length === 0) throw new Error('a bench case without a request');
  let i = 0;
  return () => requests[i++ % requests.length] as Request;
}

/** A mix entry for one request case: the same Request (or the pool's in turn) sent to `handler`, its body read. */
export function requestEntry(name: string, bench: BenchRequest, ctx: ExecutionContext): MixEntry {
  const { env, counter } = countedEnv(bench.env);
  const next = nextRequest(bench.requests);
  return {
    name,
    counter,
    op: async () => {
      const res = await bench.handler(next(), env, ctx);
      await res.arrayBuffer();
      return res.status;
    },
  };
}
