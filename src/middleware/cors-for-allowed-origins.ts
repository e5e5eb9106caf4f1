import type { Context } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../app-env';

/**
 * Hono's `cors`, built once, for requests whose `Origin` is exactly in
 * ALLOWED_ORIGINS: the origin echoed (never `*` with credentials), credentials,
 * methods, headers and max-age. Hono's cors sets headers before the handler
 * runs, which costs ~40 µs a request in the isolate: same-origin navigations
 * and server-to-server calls never reach it and only get `Vary: Origin`
 * (src/middleware/global-path.ts).
 */
export const corsForAllowedOrigin = cors({
  // Only reached for an exact ALLOWED_ORIGINS entry, echoed.
  origin: (origin) => origin,
  credentials: true,
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  allowHeaders: ['Content-Type', 'Authorization'],
  maxAge: 600,
});

/**
 * A preflight from a refused origin: answered, with nothing that lets the
 * browser go on. Hono's cors would still send Allow-Credentials, -Methods,
 * -Headers and Max-Age (and its context copies them back onto any response a
 * middleware returns), so it never runs for one.
 */
export function refusedPreflight(c: Context<AppEnv>): Response {
  return c.body(null, 204, { Vary: 'Origin' });
}

/** The headers that let `origin` (a listed one, echoed) read a response with credentials; never `*`. */
export function allowCredentialedRead(headers: Headers, origin: string): void {
  headers.set('Access-Control-Allow-Origin', origin);
  headers.set('Access-Control-Allow-Credentials', 'true');
}
