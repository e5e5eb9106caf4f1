import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { log } from '../log';

/** A success that took longer than this (ms, wall clock: in Workers it only advances across I/O) is logged. */
export const SLOW_REQUEST_MS = 50;

/**
 * A structured log line for each request worth reading: every failure
 * (status ≥ 400, with its error code and cause) and every slow success
 * (> SLOW_REQUEST_MS). Workers observability already records every invocation
 * (method, URL, status, timing), so a line per success would only repeat it at
 * ~20 µs a request. The line has method, path (never the query: a callback's
 * `code` and `state` live there), status, duration, auth method and request id
 * (Cloudflare's `cf-ray` when present). The id is echoed in `X-Request-Id` on
 * every response, so a user's report can be matched to the line.
 */
export function requestLog() {
  return createMiddleware<AppEnv>(async function requestLog(c, next) {
    const started = Date.now();
    const requestId = c.req.header('cf-ray') ?? crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    const status = c.res.status;
    const duration = Date.now() - started;
    if (status < 400 && duration <= SLOW_REQUEST_MS) return;
    log(status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', 'request', {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: duration,
      ...(status < 400 ? { slow: true } : {}),
      ...(c.var.authMethod ? { auth: c.var.authMethod } : {}),
      ...(c.var.errorCode ? { error_code: c.var.errorCode } : {}),
      ...(c.var.errorCause ? { cause: c.var.errorCause } : {}),
    });
  });
}
