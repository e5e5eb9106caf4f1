import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';

/**
 * Hono's `cors`, applied where it matters: only to requests that carry an
 * `Origin` (cross-origin fetches and preflights). Hono's cors sets headers
 * before the handler runs, which costs ~40 µs a request in the isolate (Hono
 * copies them onto the handler's response); same-origin navigations and
 * server-to-server calls skip that and only get `Vary: Origin`.
 *
 * Hono's cors also sets Allow-Credentials (and, on preflights,
 * Allow-Methods/Headers) for an origin it refuses: a refused origin gets no
 * CORS headers at all here.
 */
export function corsForAllowedOrigins() {
  const honoCors = cors({
    // Echo only an exact ALLOWED_ORIGINS entry; never `*` with credentials.
    origin: (origin, c) =>
      (c.get('config') as AppEnv['Variables']['config']).allowedOrigins.has(origin) ? origin : null,
    credentials: true,
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Content-Type', 'Authorization'],
    maxAge: 600,
  });
  return createMiddleware<AppEnv>(async function corsForAllowedOrigins(c, next) {
    if (c.req.header('origin') === undefined) {
      await next();
      c.header('Vary', 'Origin', { append: true });
      return;
    }
    const preflight = await honoCors(c, next);
    const res = preflight ?? c.res;
    if (!res.headers.has('Access-Control-Allow-Origin')) {
      for (const name of [...res.headers.keys()]) {
        if (name.startsWith('access-control-')) res.headers.delete(name);
      }
    }
    return preflight;
  });
}
