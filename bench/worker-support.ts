/**
 * Shared by the two bench Workers (bench/worker.ts, bench/peer-worker.ts), inside workerd:
 * the in-isolate request loop, a D1 statement counter, an outbound-fetch counter and
 * Server-Timing for the sign-in callback.
 */

/** What one bench case sends: built once, then passed to `app.fetch` n times. */
export interface BenchRequest {
  request: Request;
  /** The Hono app (or any fetch handler) under test. */
  handler: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
  env: Env;
}

export interface LoopResult {
  case: string;
  n: number;
  /** Wall time of the timed loop inside the isolate (performance.now()). */
  ms: number;
  usPerRequest: number;
  statuses: Record<string, number>;
  d1Statements: number;
  d1StatementsPerRequest: number;
  d1RoundTrips: number;
  d1RoundTripsPerRequest: number;
  outboundFetches: number;
}

export interface D1Counter {
  /** Statements prepared (or exec'd) through the binding. */
  statements: number;
  /** Round trips to D1: statement executions (first/all/run/raw), batches and execs. */
  roundTrips: number;
}

/**
 * The real D1 binding, wrapped to count statements and round trips (as
 * test/no-db-on-hot-path.test.ts does for statements). Batches get the real
 * statements back, unwrapped.
 */
export function countingD1(d1: D1Database): { db: D1Database; counter: D1Counter } {
  const counter: D1Counter = { statements: 0, roundTrips: 0 };
  const unwrap = new WeakMap<object, D1PreparedStatement>();
  const wrapStatement = (statement: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(statement, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (prop === 'bind') return (...args: unknown[]) => wrapStatement(target.bind(...args));
        if (prop === 'first' || prop === 'all' || prop === 'run' || prop === 'raw') {
          return (...args: unknown[]) => {
            counter.roundTrips++;
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    unwrap.set(proxy, statement);
    return proxy;
  };
  const db = new Proxy(d1, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'prepare') {
        return (query: string) => {
          counter.statements++;
          return wrapStatement(target.prepare(query));
        };
      }
      if (prop === 'exec') {
        return (query: string) => {
          counter.statements++;
          counter.roundTrips++;
          return target.exec(query);
        };
      }
      if (prop === 'batch') {
        return (statements: D1PreparedStatement[]) => {
          counter.roundTrips++;
          return target.batch(statements.map((s) => unwrap.get(s) ?? s));
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, counter };
}

/** Outbound fetches of this isolate, by origin + path (the OIDC discovery document, token endpoint, …). */
const outbound = new Map<string, number>();
let outboundTotal = 0;
/** Time spent waiting on outbound fetches, per request being timed (see timed()). */
let outboundMs = 0;

const nativeFetch = globalThis.fetch;
globalThis.fetch = async function countingFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const key = `${url.origin}${url.pathname}`;
  outbound.set(key, (outbound.get(key) ?? 0) + 1);
  outboundTotal++;
  const t0 = performance.now();
  try {
    return await nativeFetch(input, init);
  } finally {
    outboundMs += performance.now() - t0;
  }
} as typeof fetch;

export function outboundCounts(reset: boolean): { total: number; byUrl: Record<string, number> } {
  const snapshot = { total: outboundTotal, byUrl: Object.fromEntries(outbound) };
  if (reset) {
    outbound.clear();
    outboundTotal = 0;
  }
  return snapshot;
}

/**
 * Runs the handler and adds `Server-Timing: app;dur=…, outbound;dur=…` (server-side time of this
 * request inside the isolate, and how much of it was spent waiting on outbound fetches).
 * Used for the sign-in callback only, so the load-tested routes are served untouched.
 */
export async function timed(run: () => Promise<Response>): Promise<Response> {
  outboundMs = 0;
  const t0 = performance.now();
  const res = await run();
  const dur = performance.now() - t0;
  const timedRes = new Response(res.body, res);
  timedRes.headers.append('Server-Timing', `app;dur=${dur.toFixed(3)}, outbound;dur=${outboundMs.toFixed(3)}`);
  return timedRes;
}

/**
 * The in-isolate figure: sends the same request to the app n times (after a warm-up),
 * reading every body, timed with performance.now() around the whole loop.
 * D1 statements are counted through a Proxy on env.DB for the whole loop.
 */
export async function runLoop(name: string, n: number, build: () => BenchRequest, ctx: ExecutionContext) {
  const { request, handler, env } = build();
  // The peer Worker has no D1 binding: nothing to count there.
  const { db, counter } = env.DB ? countingD1(env.DB) : { db: undefined, counter: { statements: 0, roundTrips: 0 } };
  const countedEnv = db ? { ...env, DB: db } : env;
  const statuses: Record<string, number> = {};
  const warmup = Math.min(200, Math.max(10, Math.floor(n / 20)));
  for (let i = 0; i < warmup; i++) await (await handler(request, countedEnv, ctx)).arrayBuffer();
  counter.statements = 0;
  counter.roundTrips = 0;
  const outboundBefore = outboundTotal;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const res = await handler(request, countedEnv, ctx);
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
    outboundFetches: outboundTotal - outboundBefore,
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

export interface MixResult {
  name: string;
  n: number;
  ms: number;
  /**
   * µs per operation: the mean over the middle 60% of the chunks (ranked by their µs per
   * operation), so chunks stalled by something else on the machine (or a GC pause) do not count,
   * while the 1 ms rounding of the timer still averages out.
   */
  usPerRequest: number;
  /** Plain total time / operations over every chunk. */
  usPerRequestAllChunks: number;
  chunks: number;
  statuses: Record<string, number>;
  d1StatementsPerRequest: number;
  d1RoundTripsPerRequest: number;
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

/** A mix entry for one request case: the same Request sent to `handler` each time, its body read. */
export function requestEntry(name: string, bench: BenchRequest, ctx: ExecutionContext): MixEntry {
  const { db, counter } = bench.env.DB ? countingD1(bench.env.DB) : { db: undefined, counter: undefined };
  const env = db ? { ...bench.env, DB: db } : bench.env;
  return {
    name,
    counter,
    op: async () => {
      const res = await bench.handler(bench.request, env, ctx);
      await res.arrayBuffer();
      return res.status;
    },
  };
}

export function mixOptions(url: URL) {
  return {
    budgetMs: intParam(url, 'ms', 2_000, 60_000),
    chunkMs: intParam(url, 'chunkMs', 15, 1_000),
    minCycles: intParam(url, 'minCycles', 5, 1_000),
  };
}

export function intParam(url: URL, name: string, fallback: number, max: number): number {
  const n = Number(url.searchParams.get(name) ?? fallback);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}
