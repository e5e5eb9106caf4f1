import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import worker from '../../src/index';
import type { CookieJar } from './cookies';

/** The gated apps of vitest.config.ts (GATES): each forwards to the echo origin (scripts/echo-origin.ts). */
export const WIKI = 'https://wiki.example.test';
/** Requires the role `admin`. */
export const GRAFANA = 'https://grafana.example.test';
/** Cloudflare Access's header names. */
export const ACCESS = 'https://access.example.test';
/** The echo origin the gates forward to. */
export const ECHO_ORIGIN = JSON.parse(env.GATES as string)[WIKI].origin as string;

export type GateInit = RequestInit & { jar?: CookieJar };

/** A request to a gated URL through the Worker's own fetch (its dispatch included), as a browser on that host sends it. */
export function gate(url: string, init: GateInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.jar?.size) headers.set('cookie', init.jar.header());
  return exports.default.fetch(new Request(url, { ...init, headers, redirect: 'manual' }));
}

/** The same, through the Worker's default export with some vars changed (its own env object: its own config). */
export function gateWith(vars: Record<string, string>) {
  const changed = { ...env, ...vars } as Env;
  return async (url: string, init: GateInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (init.jar?.size) headers.set('cookie', init.jar.header());
    const ctx = createExecutionContext();
    const request = new Request(url, { ...init, headers, redirect: 'manual' }) as Parameters<typeof worker.fetch>[0];
    const res = await worker.fetch(request, changed, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
}

/** What the echo origin received. */
export interface Echo {
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: { length: number; sha256: string };
}

export async function echoOf(res: Response): Promise<Echo> {
  if (res.status !== 200) throw new Error(`expected the origin's 200, got ${res.status}: ${await res.text()}`);
  return (await res.json()) as Echo;
}

/** Every value of a header the origin received, any case or spelling of `name` (`-` or `_`). */
export function receivedHeader(echo: Pick<Echo, 'headers'>, name: string): string[] {
  const wanted = name.toLowerCase().replace(/_/g, '-');
  return echo.headers.filter(([n]) => n.toLowerCase().replace(/_/g, '-') === wanted).map(([, v]) => v);
}

/** What a browser sends for a page load. */
export const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
};
