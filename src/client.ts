import { hc } from 'hono/client';
import type { AppType } from './app';

export type { AppType } from './app';
export type { ErrorBody, ErrorCode } from './errors';

/**
 * A typed client for front ends (Hono RPC): paths, methods, bodies and JSON
 * answers are checked by the compiler. Cookies ride along
 * (`credentials: 'include'`), as a sibling app on the same site needs.
 *
 * @example
 * const api = createSitewideClient('https://api.example.com');
 * const res = await api.api.me.$get();
 * if (res.ok) console.log((await res.json()).email);
 * else console.log((await res.json()).error.code); // 'missing_session', …
 */
export function createSitewideClient(
  baseUrl: string,
  options: { fetch?: typeof fetch; headers?: Record<string, string> } = {},
) {
  return hc<AppType>(baseUrl, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
    init: { credentials: 'include' },
  });
}
