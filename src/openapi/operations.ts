/**
 * What the OpenAPI document says about each route, by method and path (OpenAPI's `{param}` form).
 * Read only at build time by scripts/openapi.ts, never by the Worker: the descriptions stay out of
 * the bundle, and the Worker serves the built document (public/openapi.json) from its assets.
 * test/openapi.test.ts checks these keys against the routes the app serves, both ways.
 */
import { amendForClientCredentials, CLIENT_CREDENTIALS_DESCRIPTION } from '../clients/token-route-doc';
import type { RouteDoc } from './describe';
import { EXPORT_SCHEMA, REVOCATIONS_SCHEMA, SESSION_ERRORS, USER_SCHEMA } from './schemas';

export const OPERATIONS: Record<string, RouteDoc> = {
  'GET /': {
    summary: 'Redirect to the app (APP_URL)',
    tags: ['meta'],
    ok: { status: 302, description: 'Redirect to APP_URL' },
  },
  'GET /openapi.json': {
    summary: 'This OpenAPI 3.1 description of every route',
    tags: ['meta'],
    ok: { schema: { type: 'object' }, description: 'The OpenAPI document' },
  },
  'GET /auth/signin/{provider}': {
    summary: 'One click to sign in: 302 straight to Google with PKCE, state and nonce (query: callbackUrl)',
    description:
      'What a "Sign in with Google" link points at. Runs the POST below with a CSRF token it obtains itself; login_hint and prompt are passed on to Google. callbackUrl follows the redirect policy (ALLOWED_ORIGINS, else APP_URL).',
    tags: ['auth'],
    ok: { status: 302, description: 'Redirect to the provider, with the flow cookies set' },
    errors: { 400: ['bad_request'], 404: ['not_found'], 429: ['rate_limited'] },
  },
  'GET /auth/signin': {
    summary: 'The sign-in page (HTML): the site name and one "Sign in with Google" button (a link)',
    tags: ['auth'],
    ok: { description: 'HTML' },
  },
  'GET /auth/csrf': {
    summary: "Auth.js's CSRF token for the POSTs below (sets its __Host- cookie)",
    tags: ['auth'],
    ok: { schema: { type: 'object', properties: { csrfToken: { type: 'string' } } } },
  },
  'POST /auth/signin/{provider}': {
    summary: 'Start sign-in (form: csrfToken, callbackUrl): 302 to Google with PKCE, state and nonce',
    tags: ['auth'],
    ok: { status: 302, description: 'Redirect to the provider (or back to /auth/signin?error=MissingCSRF)' },
    // A body Auth.js cannot read (e.g. malformed JSON).
    errors: { 400: ['bad_request'], 429: ['rate_limited'] },
  },
  'GET /auth/callback/{provider}': {
    summary: "The provider's redirect: records the sign-in, sets the session cookie, 302 to callbackUrl",
    tags: ['auth'],
    ok: {
      status: 302,
      description:
        'Redirect to callbackUrl (allowed origins the user may reach by APP_ACCESS; else APP_URL), or to /auth/error',
    },
    errors: { 429: ['rate_limited'], 503: ['service_unavailable'] },
  },
  'GET /auth/signout': {
    summary: 'The sign-out page for browsers (Accept: text/html): one button that POSTs below (query: callbackUrl)',
    tags: ['auth'],
    ok: { description: 'HTML' },
    errors: { 405: ['method_not_allowed'] },
  },
  'POST /auth/signout': {
    summary: 'Sign out (form: csrfToken, callbackUrl): revokes the session, clears the cookie',
    description: 'Needs an Origin that is the API or in ALLOWED_ORIGINS.',
    tags: ['auth'],
    // Revokes the session its cookie names; without one it only redirects.
    auth: ['cookie', 'anonymous'],
    ok: { status: 302, description: 'Redirect to callbackUrl' },
    errors: { 400: ['bad_request'], 403: ['csrf_rejected'], 429: ['rate_limited'], 503: ['service_unavailable'] },
  },
  'GET /auth/error': {
    summary: 'Where a failed sign-in lands',
    tags: ['auth'],
    ok: { description: 'never: always an error' },
    errors: { 400: ['sign_in_failed'], 403: ['access_denied', 'account_conflict'] },
  },
  'GET /auth/diagnose': {
    summary: 'Why this request is or is not authenticated (DIAGNOSE=on only)',
    tags: ['meta'],
    ok: { schema: { type: 'object' } },
    errors: { 404: ['not_found'] },
  },
  'GET /health': {
    summary: 'Liveness: answers once config and keys load',
    tags: ['meta'],
    ok: { schema: { type: 'object', properties: { status: { const: 'ok' } } } },
  },
  'GET /api/me': {
    summary: 'The signed-in user, from the verified session token (stale by at most one token lifetime)',
    description:
      'Answered from the claims of the verified token (email, name, picture, roles): no D1 read while the token is fresh. A token that does not carry the profile (signed before it did, a value past its cap, or a Bearer access token) is answered from D1.',
    tags: ['api'],
    auth: ['cookie', 'bearer'],
    ok: { schema: USER_SCHEMA },
    errors: SESSION_ERRORS,
  },
  'GET /api/me/export': {
    summary: 'Everything Sitewide holds about the caller, as one JSON download',
    description:
      'The user, linked accounts, roles, every session (revoked and expired included, the current one marked) and the audit events of the user id. Sent with Content-Disposition: attachment; filename="sitewide-export-YYYY-MM-DD.json".',
    tags: ['api'],
    auth: ['cookie', 'bearer'],
    ok: { schema: EXPORT_SCHEMA, description: 'The export (a download)' },
    errors: { ...SESSION_ERRORS, 429: ['rate_limited'] },
  },
  'DELETE /api/me': {
    summary: "Delete the caller's account (needs a sign-in from the last 10 minutes); clears this cookie",
    description:
      'Removes the user, linked accounts, roles and sessions in one batch; audit events stay under the user id without ip or user agent, plus an account_deleted event. Other sessions of the user are refused within REVOCATION_POLL seconds (401 session_revoked; at their next refresh, 401 user_not_found, if the revocation feed was unreachable). A session signed in more than 10 minutes ago gets 403 reauth_required: sign in again, then retry.',
    tags: ['api'],
    auth: ['cookie', 'bearer'],
    ok: { status: 204, description: 'Deleted; the session cookie is cleared' },
    errors: {
      ...SESSION_ERRORS,
      403: [...SESSION_ERRORS[403], 'reauth_required'],
      429: ['rate_limited'],
    },
  },
  'POST /auth/refresh': {
    summary: 'Renew the session cookie (expired or fresh) against D1; answers the user and the session',
    description:
      "Cookie only (an Authorization header is ignored); no Origin requirement (it renews the caller's own session). Sets a new session cookie with the attributes sign-in gave it. session.expiresAt is when the session (and the cookie, Max-Age) ends unless renewed again.",
    tags: ['auth'],
    auth: ['cookie'],
    ok: {
      schema: {
        type: 'object',
        required: ['user', 'session'],
        properties: {
          user: USER_SCHEMA,
          session: {
            type: 'object',
            required: ['id', 'expiresAt'],
            properties: { id: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' } },
          },
        },
      },
    },
    errors: {
      401: ['missing_session', 'invalid_session', 'session_expired', 'session_revoked', 'user_not_found'],
      403: ['user_disabled', 'access_denied'],
      429: ['rate_limited'],
      503: ['service_unavailable'],
    },
  },
  'GET /api/sessions': {
    summary: "The caller's live sessions, marking the current one",
    tags: ['sessions'],
    auth: ['cookie', 'bearer'],
    ok: {
      schema: {
        type: 'object',
        properties: {
          sessions: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                createdAt: { type: 'string', format: 'date-time' },
                lastSeenAt: { type: 'string', format: 'date-time' },
                expiresAt: { type: 'string', format: 'date-time' },
                userAgent: { type: ['string', 'null'] },
                current: { type: 'boolean' },
              },
            },
          },
        },
      },
    },
    errors: SESSION_ERRORS,
  },
  'POST /api/sessions/revoke-all': {
    summary: 'Sign out everywhere: revoke every session of the caller; clears this cookie',
    tags: ['sessions'],
    auth: ['cookie', 'bearer'],
    ok: { schema: { type: 'object', properties: { revoked: { type: 'integer' } } } },
    errors: { ...SESSION_ERRORS, 429: ['rate_limited'] },
  },
  'POST /api/sessions/{id}/revoke': {
    summary: "Revoke one of your sessions (anyone else's id answers 404)",
    tags: ['sessions'],
    auth: ['cookie', 'bearer'],
    ok: { schema: { type: 'object', properties: { revoked: { type: 'integer' }, current: { type: 'boolean' } } } },
    errors: { ...SESSION_ERRORS, 404: ['not_found'], 429: ['rate_limited'] },
  },
  'POST /auth/token': {
    summary: 'Mint a short-lived access token (at+jwt) for a backend on TOKEN_AUDIENCES',
    description: CLIENT_CREDENTIALS_DESCRIPTION,
    amend: amendForClientCredentials,
    tags: ['tokens'],
    auth: ['cookie'],
    requestBody: { type: 'object', required: ['audience'], properties: { audience: { type: 'string' } } },
    ok: {
      schema: {
        type: 'object',
        properties: {
          access_token: { type: 'string' },
          token_type: { const: 'Bearer' },
          expires_in: { type: 'integer' },
        },
      },
    },
    errors: {
      ...SESSION_ERRORS,
      400: ['invalid_audience', 'validation_failed'],
      403: SESSION_ERRORS[403],
      429: ['rate_limited'],
    },
  },
  'GET /.well-known/jwks.json': {
    summary: 'Public verification keys (ES256, kid, use: sig); cacheable',
    tags: ['meta'],
    ok: { schema: { type: 'object', properties: { keys: { type: 'array', items: { type: 'object' } } } } },
  },
  'GET /.well-known/sitewide.json': {
    summary:
      'Issuer, JWKS URI, token endpoint (with its grant and client authentication methods), cookie name and domain, token types',
    tags: ['meta'],
    ok: { schema: { type: 'object' } },
  },
  'GET /.well-known/sitewide-revocations': {
    summary: 'The revocation feed since a cursor, for verifiers elsewhere; cacheable for a second',
    description:
      'Poll every `revocation_poll` seconds (/.well-known/sitewide.json) with the last `cursor` (0: all). No personal data: session ids are random, user ids opaque.',
    tags: ['meta'],
    ok: { schema: REVOCATIONS_SCHEMA },
    errors: { 400: ['validation_failed'], 429: ['rate_limited'], 503: ['service_unavailable'] },
  },
};
