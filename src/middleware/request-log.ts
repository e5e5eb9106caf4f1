import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { log } from '../log';

/** A success that took longer than this (ms, wall clock: in Workers it only advances across I/O) is logged. */
export const SLOW_REQUEST_MS = 50;

/** The longest path the line keeps. */
const MAX_LOGGED_PATH = 256;

/** The request's id: Cloudflare's `cf-ray` when present (it matches the platform's own logs), else a fresh UUID. */
export function requestIdOf(request: Request): string {
  return request.headers.get('cf-ray') ?? crypto.randomUUID();
}

/**
 * Writes the request's structured line when it is worth reading: every failure
 * (status ≥ 400, with its error code and cause) and every slow success
 * (> SLOW_REQUEST_MS). Workers observability already records every invocation
 * (method, URL, status, timing), so a line per success would only repeat it:
 * a fast success costs two comparisons here. The line has method, path (never
 * the query: a callback's `code` and `state` live there), status, duration,
 * auth method and request id.
 */
export function logRequest(c: Context<AppEnv>, requestId: string, started: number, status: number): void {
  const duration = Date.now() - started;
  if (status < 400 && duration <= SLOW_REQUEST_MS) return;
  const authMethod = c.get('authMethod');
  const errorCode = c.get('errorCode');
  const errorCause = c.get('errorCause');
  log(status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', 'request', {
    request_id: requestId,
    method: c.req.method,
    // Decoded by Hono: a client's bytes, cut (src/log.ts escapes what is left).
    path: c.req.path.slice(0, MAX_LOGGED_PATH),
    status,
    duration_ms: duration,
    ...(status < 400 ? { slow: true } : {}),
    ...(authMethod ? { auth: authMethod } : {}),
    ...(errorCode ? { error_code: errorCode } : {}),
    ...(errorCause ? { cause: errorCause } : {}),
  });
}
