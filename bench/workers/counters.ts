/**
 * Outbound fetches of this isolate, inside the bench Workers: every `fetch` counted by origin and
 * path (the OIDC discovery document, the token endpoint, …), and Server-Timing for the sign-in
 * callback (its server time, and how much of it waited on outbound fetches).
 */
import type { OutboundCounts } from '../cases';

const outbound = new Map<string, number>();
let outboundTotal = 0;
/** Time spent waiting on outbound fetches since the last timed() began. */
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

export function outboundCounts(reset: boolean): OutboundCounts {
  const snapshot = { total: outboundTotal, byUrl: Object.fromEntries(outbound) };
  if (reset) {
    outbound.clear();
    outboundTotal = 0;
  }
  return snapshot;
}

/**
 * Runs the handler and adds `Server-Timing: app;dur=…, outbound;dur=…`. Used for the sign-in
 * callback only, so the load-tested routes are served untouched.
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
