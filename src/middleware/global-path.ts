import type { Context, ErrorHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { allowCredentialedRead, corsForAllowedOrigin, refusedPreflight } from './cors-for-allowed-origins';
import { loadConfigInto } from './load-config';
import { listedOriginForError } from './misconfigured-cors';
import { setBookmarkCookie } from './request-db';
import { logRequest, requestIdOf } from './request-log';
import { setSecurityHeaders } from './security-headers';

export interface GlobalPathOptions {
  /** The app's error handler: a misconfiguration found here answers through it, like any other error. */
  onError: ErrorHandler<AppEnv>;
}

/**
 * Everything every request gets, as one middleware (one layer of Hono's
 * compose instead of five; measured in bench/RESULTS.md as the `bare` case):
 *
 * 1. a request id (`cf-ray`, else a UUID) on `c.var.requestId`;
 * 2. config and signing keys on `c.var` (load-config.ts; `500 misconfigured`
 *    through `onError`, readable by a listed origin: misconfigured-cors.ts); D1 is opened later, by the routes that
 *    need it (middleware/request-db), and the response then gets the bookmark cookie;
 * 3. CORS: Hono's cors for an exact ALLOWED_ORIGINS entry; a preflight from
 *    any other origin answered 204 with nothing but `Vary: Origin`; every
 *    other request runs on and gets `Vary: Origin` appended;
 * 4. on the response: `Cache-Control: no-store` unless the route chose one
 *    (responses carry sessions and users), the security headers
 *    (security-headers.ts), `X-Request-Id`;
 * 5. a log line for failures and slow requests only (request-log.ts).
 *
 * The response's headers are written in place; a handler's response whose
 * headers are immutable (`Response.redirect`, a `fetch` result) is copied first.
 *
 * What it costs (in the isolate, against a bare `new Hono()` route at ~21 µs):
 * ~12 µs, of which ~8.5 µs are the 14 header writes (~0.6 µs each in workerd)
 * and ~3.5 µs Hono's compose, which any middleware brings.
 */
export function globalPath(options: GlobalPathOptions) {
  const { onError } = options;
  return createMiddleware<AppEnv>(async function globalPath(c, next) {
    const started = Date.now();
    const raw = c.req.raw;
    const requestId = requestIdOf(raw);
    c.set('requestId', requestId);
    let varyOrigin = false;
    try {
      const loading = loadConfigInto(c);
      if (loading) await loading;
      const origin = raw.headers.get('origin');
      if (origin !== null && c.get('config').allowedOrigins.has(origin)) {
        const preflight = await corsForAllowedOrigin(c, next);
        if (preflight) c.res = preflight;
      } else if (origin !== null && raw.method === 'OPTIONS') {
        c.res = refusedPreflight(c);
      } else {
        varyOrigin = true;
        await next();
      }
    } catch (error) {
      // Only what this middleware itself threw (the config): Hono's compose turns the routes' errors
      // into responses below us. onError is what compose would have called.
      if (!(error instanceof Error)) throw error;
      c.error = error;
      // A listed origin may read the answer (misconfigured-cors.ts): its preflight is answered as
      // usual, so the request itself comes and gets the 500 with the message naming the fix.
      varyOrigin = true;
      const listed = listedOriginForError(raw.headers.get('origin'), c.env.ALLOWED_ORIGINS);
      const preflight = listed && raw.method === 'OPTIONS' ? await corsForAllowedOrigin(c, async () => {}) : undefined;
      if (preflight) {
        c.res = preflight;
        varyOrigin = false;
      } else {
        c.res = await onError(error, c);
        if (listed) allowCredentialedRead(c.res.headers, listed);
      }
    }
    // After a request that wrote to D1: the bookmark cookie (middleware/request-db; nothing opened, nothing done).
    if (c.get('d1')) setBookmarkCookie(c);
    finishResponse(c, requestId, varyOrigin);
    logRequest(c, requestId, started, c.res.status);
  });
}

function finishResponse(c: Context<AppEnv>, requestId: string, varyOrigin: boolean) {
  const res = c.res;
  try {
    writeHeaders(res.headers, requestId, varyOrigin);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    // Immutable headers: the first write threw, so nothing was written yet.
    const copy = new Response(res.body, res);
    writeHeaders(copy.headers, requestId, varyOrigin);
    c.res = undefined;
    c.res = copy;
  }
}

function writeHeaders(headers: Headers, requestId: string, varyOrigin: boolean) {
  if (varyOrigin) headers.append('Vary', 'Origin');
  if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
  setSecurityHeaders(headers);
  headers.set('X-Request-Id', requestId);
}
