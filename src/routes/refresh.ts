import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { clientIpOf, type RateLimitOptions, spendBudget } from '../middleware/rate-limit';
import { authenticateDepsOf, refusalError } from '../middleware/require-session';
import { authenticateSession } from '../session/authenticate';
import type { RenewedSession } from '../session/refresh';

/** The 200 body of POST /auth/refresh (its schema: src/openapi/operations.ts). */
interface RefreshedSession {
  user: { id: string; email: string | null; name: string | null; image: string | null; roles: string[] };
  session: { id: string; expiresAt: string };
}

/**
 * The refresh's two budgets (docs/api.md#rate-limits), both in AUTH_RATE_LIMIT (30 per 60 s per key):
 * `refresh` per session, spent only by a token whose signature verified (a forged token naming a
 * victim's `sid` spends nothing of the victim's); `refresh-unverified` per client IP, spent by every
 * request whose token does not verify (none, malformed, forged, another key). A busy office or a
 * sibling's server (many users, one IP) renews genuine sessions on their own budgets.
 */
const budget = (group: string): RateLimitOptions => ({
  group,
  limiter: (env) => env.AUTH_RATE_LIMIT,
  periodSeconds: 60,
});
export const REFRESH_BUDGET = budget('refresh');
export const UNVERIFIED_REFRESH_BUDGET = budget('refresh-unverified');

/**
 * `POST /auth/refresh`: how a sibling renews the session cookie it was sent
 * (expired or still fresh) without a round trip through a page of the API.
 *
 * - The cookie only, read by readSessionCookie (two copies: `401 invalid_session`,
 *   as on /api); an `Authorization` header is ignored: a Bearer access token
 *   cannot renew a session.
 * - The same checks and renewal as requireSession's refresh: the revocation
 *   snapshot first (a session revoked within a read replica's lag is still
 *   refused, within REVOCATION_POLL), then the D1 read (renewSession), and the
 *   same cookie attributes.
 * - Rate limited after the signature check (REFRESH_BUDGET, per session) or,
 *   for a token that does not verify, per client IP (UNVERIFIED_REFRESH_BUDGET).
 * - No Origin requirement (unlike csrfGuard): it renews the caller's own
 *   session and nothing else. A cross-site POST carries no SameSite=Lax cookie;
 *   a hostile sibling can only make the victim's browser renew the victim's own
 *   session, which a GET /api/me after expiry would do as well. CORS still only
 *   lets ALLOWED_ORIGINS read the answer.
 */
export const refreshRoutes = new Hono<AppEnv>().post('/auth/refresh', async function refreshSessionCookie(c) {
  const at = new Date();
  // A fresh token is renewed as well as an expired one: either way the session row decides
  // (after the revocation snapshot: src/session/authenticate.ts). A token that verified spends its
  // session's budget just before the D1 read; one that did not, its IP's.
  const result = await authenticateSession(c.req.header('cookie'), authenticateDepsOf(c), {
    at,
    renew: 'always',
    beforeRenew: (claims) => spendBudget(c, REFRESH_BUDGET, `sid:${claims.sid}`),
  });
  if (!result.ok) {
    if (result.code === 'missing_session' || result.code === 'invalid_session') {
      await spendBudget(c, UNVERIFIED_REFRESH_BUDGET, clientIpOf(c));
    }
    throw refusalError(result, c.var.config);
  }
  if (result.renewedCookie) c.header('Set-Cookie', result.renewedCookie, { append: true });
  const renewed = result.renewed as RenewedSession;
  // The refresh read returned the profile as D1 holds it now: no second read.
  const { email, name, picture } = renewed.profile;
  const body: RefreshedSession = {
    user: { id: renewed.claims.sub, email, name, image: picture, roles: [...renewed.claims.roles] },
    session: { id: renewed.claims.sid, expiresAt: new Date(at.getTime() + renewed.maxAge * 1000).toISOString() },
  };
  return c.json(body);
});
