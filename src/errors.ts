import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Stable error codes a client can `switch` on. The message is for people and
 * may change; the code never does.
 */
export type ErrorCode =
  | 'missing_session'
  | 'invalid_session'
  | 'session_expired'
  | 'user_not_found'
  | 'session_revoked'
  | 'user_disabled'
  | 'csrf_rejected'
  /** A service client's token on a route for people (Sitewide's own /api/*): src/clients. */
  | 'client_not_allowed'
  /** A sensitive action (deleting the account) needs a recent sign-in; sign in again, then retry. */
  | 'reauth_required'
  | 'rate_limited'
  | 'invalid_audience'
  | 'validation_failed'
  | 'sign_in_failed'
  | 'access_denied'
  /** A sign-in whose verified address belongs to another Google account (docs/access.md). */
  | 'account_conflict'
  | 'misconfigured'
  | 'bad_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'service_unavailable'
  /** The gate's origin did not answer (src/gate). */
  | 'bad_gateway'
  | 'internal_error';

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** The one JSON shape every failure answers with. */
export function errorResponse(
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  headers?: HeadersInit,
): Response {
  const body: ErrorBody = { error: { code, message } };
  const res = Response.json(body, { status, headers });
  res.headers.set('Cache-Control', 'no-store');
  return res;
}

/** An expected failure of a request, carrying its stable code (for the log line). */
export class ApiError extends HTTPException {
  override name = 'ApiError';
  constructor(
    status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    options: { cause?: unknown; headers?: HeadersInit },
  ) {
    super(status, { res: errorResponse(status, code, message, options.headers), cause: options.cause, message });
  }
}

/**
 * An expected failure of a request: `res` is exactly what the client gets,
 * `cause` (if any) goes to the log only.
 *
 * @example throw apiError(401, 'missing_session', 'No session cookie was sent')
 */
export function apiError(
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  options: { cause?: unknown; headers?: HeadersInit } = {},
): ApiError {
  return new ApiError(status, code, message, options);
}

/** D1 (or any storage) failed: the caller is told to retry, never let in. */
export function serviceUnavailable(cause: unknown): ApiError {
  return apiError(503, 'service_unavailable', 'The database is unavailable; try again shortly', {
    cause,
    headers: { 'Retry-After': '5' },
  });
}
