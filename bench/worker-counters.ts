/**
 * Instruments of the two bench Workers (bench/worker.ts, bench/peer-worker.ts), inside workerd:
 * a D1 binding that counts statements and round trips, a counter of this isolate's outbound
 * fetches, and Server-Timing for the sign-in callback.
 */
import type { OutboundCounts } from './cases';

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
  // The binding and the D1 sessions it opens (`withSession`: how the product's requests reach D1) alike.
  const count = <T extends object>(d1Like: T): T =>
    new Proxy(d1Like, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const call = (...args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args);
        if (prop === 'prepare') {
          return (query: string) => {
            counter.statements++;
            return wrapStatement(call(query) as D1PreparedStatement);
          };
        }
        if (prop === 'exec') {
          return (query: string) => {
            counter.statements++;
            counter.roundTrips++;
            return call(query);
          };
        }
        if (prop === 'batch') {
          return (statements: D1PreparedStatement[]) => {
            counter.roundTrips++;
            return call(statements.map((s) => unwrap.get(s) ?? s));
          };
        }
        if (prop === 'withSession') return (constraint?: string) => count(call(constraint) as D1DatabaseSession);
        return value.bind(target);
      },
    });
  const db = count(d1);
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

/** Outbound fetches of this isolate so far (a loop reports the difference). */
export const outboundTotalSoFar = () => outboundTotal;

export function outboundCounts(reset: boolean): OutboundCounts {
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
