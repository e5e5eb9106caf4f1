import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { log } from '../log';

/**
 * One structured log line per request: method, path (never the query: a
 * callback's `code` and `state` live there), status, duration, error code and
 * cause, auth method, request id (Cloudflare's `cf-ray` when present). The id is
 * echoed in `X-Request-Id` so a user's report can be matched to the line.
 */
export function requestLog() {
  return createMiddleware<AppEnv>(async function requestLog(c, next) {
    const started = Date.now();
    const requestId = c.req.header('cf-ray') ?? crypto.randomUUID();
    c.set('requestId', requestId);
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    const status = c.res.status;
    log(status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', 'request', {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Date.now() - started,
      ...(c.var.authMethod ? { auth: c.var.authMethod } : {}),
      ...(c.var.errorCode ? { error_code: c.var.errorCode } : {}),
      ...(c.var.errorCause ? { cause: c.var.errorCause } : {}),
    });
  });
}
