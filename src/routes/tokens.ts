import { Hono } from 'hono';
import { mayReach } from '../access/app-access';
import type { AppEnv } from '../app-env';
import { clientCredentialsGrant } from '../clients/grant';
import { guardDb } from '../db/guard';
import { apiError } from '../errors';
import { csrfGuard } from '../middleware/csrf-guard';
import { requestDb } from '../middleware/request-db';
import { requireSession } from '../middleware/require-session';
import { refreshPolicyOf, sessionRefused } from '../session/refresh';
import { ACCESS_TOKEN_TYP, signToken } from '../session/token';
import { quoteInput } from '../untrusted-text';
import { refreshSession } from '../users/sessions';

async function readAudience(req: Request): Promise<unknown> {
  try {
    return ((await req.json()) as { audience?: unknown } | null)?.audience;
  } catch {
    throw apiError(400, 'validation_failed', 'The body must be JSON: {"audience":"<an entry of TOKEN_AUDIENCES>"}');
  }
}

/**
 * `POST /auth/token {"audience"}`: a short-lived access token for a backend on
 * the TOKEN_AUDIENCES list. Cookie-authenticated only (a Bearer token cannot
 * mint others), CSRF rules apply, and the session row is checked in D1, so a
 * revoked session (or a user the admission policy now refuses) cannot mint.
 * The roles read in that same round trip decide APP_ACCESS, for the asking app
 * (its Origin, the token's `client_id`) and for the audience, `403
 * access_denied` unless both admit the user; they ride in the access token.
 */
export const tokenRoutes = new Hono<AppEnv>().post(
  '/auth/token',
  // grant_type=client_credentials (a form-encoded body) is answered here; JSON goes on to the cookie flow.
  clientCredentialsGrant(),
  requireSession({ allowBearer: false }),
  csrfGuard(),
  async function issueAccessToken(c) {
    const { config, keys, session } = c.var;
    const audience = await readAudience(c.req.raw);
    if (typeof audience !== 'string' || !config.tokenAudiences.has(audience)) {
      throw apiError(
        400,
        'invalid_audience',
        `audience ${quoteInput(audience ?? null, 100)} is not allowed; allowed: ${[...config.tokenAudiences].join(', ')}`,
      );
    }
    const now = new Date();
    const live = await guardDb(() =>
      refreshSession(requestDb(c, 'replica', session.sub), {
        sessionId: session.sid,
        userId: session.sub,
        now,
        ...refreshPolicyOf(config),
      }),
    );
    if (!live.ok) throw sessionRefused(live.code);
    // RFC 9068 §2.2 `client_id`: the client that asked for the token, which is the app (a browser
    // page, or a server holding the cookie) named by the request's Origin: csrfGuard lets this
    // cookie-authenticated POST through only with the API's own origin or an ALLOWED_ORIGINS entry.
    // (Not the audience: that is the resource server the token is for, already in `aud`.)
    const clientId = c.req.header('origin');
    if (clientId === undefined) throw apiError(403, 'csrf_rejected', 'POST /auth/token needs an Origin');
    // APP_ACCESS of both: the app that asks (a user its roles keep out of an app gets no token through
    // it, whatever the audience) and the audience the token is for.
    for (const [what, key] of [
      ['app', clientId],
      ['audience', audience],
    ] as const) {
      if (!mayReach(config.appAccess, key, live.roles)) {
        throw apiError(
          403,
          'access_denied',
          `Your account lacks the role the ${what} ${key} requires (APP_ACCESS: any of ${config.appAccess.get(key)?.join(', ')})`,
        );
      }
    }
    const accessToken = await signToken(
      ACCESS_TOKEN_TYP,
      { sub: session.sub, sid: session.sid, ttl: config.accessTokenTtl, clientId, roles: live.roles },
      keys,
      { issuer: config.apiOrigin, audience, now },
    );
    return c.json({ access_token: accessToken, token_type: 'Bearer', expires_in: config.accessTokenTtl });
  },
);
