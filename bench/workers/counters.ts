/** This isolate's outbound fetches by URL, and Server-Timing (server time, of which outbound) for the sign-in callback. */
import type { OutboundCounts } from '../cases';

const outbound = new Map<string, number>();
let outboundTotal = 0;
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
  const counts = { total: outboundTotal, byUrl: Object.fromEntries(outbound) };
  if (reset) {
    outbound.clear();
    outboundTotal = 0;
  }
  return counts;
}

/** The handler's response with `Server-Timing: app;dur=…, outbound;dur=…` (the sign-in callback only). */
export async function timed(run: () => Promise<Response>): Promise<Response> {
  outboundMs = 0;
  const t0 = performance.now();
  const res = await run();
  const dur = performance.now() - t0;
  const timedRes = new Response(res.body, res);
  timedRes.headers.append('Server-Timing', `app;dur=${dur.toFixed(3)}, outbound;dur=${outboundMs.toFixed(3)}`);
  return timedRes;
}
