import { createMiddleware } from 'hono/factory';
import type { ErrorCode } from '../errors';

type Json = Record<string, unknown>;

const errorSchema = (codes: readonly ErrorCode[]): Json => ({
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', enum: [...codes] }, message: { type: 'string' } },
    },
  },
});

const DEFAULT_ERRORS: Partial<Record<number, readonly ErrorCode[]>> = {
  500: ['misconfigured', 'internal_error'],
};

export interface RouteDoc {
  summary: string;
  description?: string;
  tags: string[];
  /** The JSON schema of the 2xx body, or a description of a redirect. */
  ok?: { status?: number; schema?: Json; description?: string };
  /** Error responses: status → the codes it can carry. */
  errors?: Partial<Record<number, readonly ErrorCode[]>>;
  requestBody?: Json;
  /** Who may call it: the session cookie, a Bearer access token, or nobody in particular. */
  auth?: Array<'cookie' | 'bearer'>;
}

/** Where a route's OpenAPI operation rides on its middleware (read by openapi/document.ts). */
export const OPERATION = Symbol('sitewide.openapi.operation');

export type Operation = Json;

/**
 * OpenAPI metadata for one route, attached where the route is defined, so
 * `GET /openapi.json` is generated from the routes themselves. Every error
 * status lists the stable codes it can carry. At request time it is a no-op
 * middleware. (hono-openapi does the same job but adds ~72 KiB gzip to the
 * Worker, measured; this is a few hundred bytes.)
 */
export function documented(doc: RouteDoc) {
  const responses: Record<string, Json> = {};
  const ok = doc.ok ?? {};
  responses[String(ok.status ?? 200)] = {
    description: ok.description ?? 'OK',
    ...(ok.schema ? { content: { 'application/json': { schema: ok.schema } } } : {}),
  };
  for (const [status, codes] of Object.entries({ ...DEFAULT_ERRORS, ...doc.errors })) {
    if (!codes) continue;
    responses[status] = {
      description: codes.join(', '),
      content: { 'application/json': { schema: errorSchema(codes) } },
    };
  }
  const operation: Operation = {
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: doc.tags,
    responses,
    ...(doc.auth
      ? { security: doc.auth.map((s) => ({ [s === 'cookie' ? 'sessionCookie' : 'bearerToken']: [] })) }
      : {}),
    ...(doc.requestBody
      ? { requestBody: { required: true, content: { 'application/json': { schema: doc.requestBody } } } }
      : {}),
  };
  const middleware = createMiddleware(async function documentedRoute(_c, next) {
    await next();
  });
  return Object.assign(middleware, { [OPERATION]: operation });
}

/** Errors of every route behind requireSession. */
export const SESSION_ERRORS = {
  401: ['missing_session', 'invalid_session', 'session_expired', 'session_revoked', 'user_not_found'],
  403: ['user_disabled', 'csrf_rejected'],
  503: ['service_unavailable'],
} as const satisfies Partial<Record<number, readonly ErrorCode[]>>;
