import { createMiddleware } from 'hono/factory';
import type { AppEnv, AuthedEnv } from '../app-env';
import type { Config } from '../config/config';
import { apiError } from '../errors';

/** Methods that change nothing (Hono's csrf middleware uses the same rule); every other method is checked. */
const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;

/**
 * Throws `403 csrf_rejected` unless the request's `Origin` is the API's own
 * or exactly one of ALLOWED_ORIGINS. A missing or `null` Origin is refused
 * (browsers send one on every POST; `null` is what a sandboxed or
 * `no-referrer` page sends).
 */
function assertAllowedOrigin(request: Request, config: Pick<Config, 'apiOrigin' | 'allowedOrigins'>): void {
  const origin = request.headers.get('origin');
  if (origin && (origin === config.apiOrigin || config.allowedOrigins.has(origin))) return;
  throw apiError(
    403,
    'csrf_rejected',
    origin
      ? `Origin '${origin}' may not make cookie-authenticated ${request.method} requests; allowed: the API and ALLOWED_ORIGINS`
      : `Cookie-authenticated ${request.method} requests must carry an Origin header`,
  );
}

/**
 * CSRF for cookie-authenticated writes. Sibling subdomains are same-site, so
 * SameSite=Lax does not stop a hostile sibling: any request but GET, HEAD and
 * OPTIONS (refused by default, whatever its method) must carry an
 * `Origin` that is the API's own or exactly one of ALLOWED_ORIGINS. A missing
 * or `null` Origin is refused. Bearer-authenticated requests carry no ambient
 * credential and are exempt. Mount after requireSession.
 */
export function csrfGuard() {
  return createMiddleware<AuthedEnv>(async function csrfGuard(c, next) {
    if (!SAFE_METHOD.test(c.req.method) && c.var.authMethod === 'cookie') assertAllowedOrigin(c.req.raw, c.var.config);
    await next();
  });
}

/**
 * The same Origin rule for a write outside requireSession: POST /auth/signout,
 * which Auth.js guards with its CSRF token (a double-submit `__Host-` cookie).
 * The Origin check is the second lock: a page of a hostile sibling that came
 * by a token still cannot sign anyone out. Our own sign-out page posts with
 * the API's Origin (pages/layout.ts, its referrer policy).
 */
export function originGuard() {
  return createMiddleware<AppEnv>(async function originGuard(c, next) {
    assertAllowedOrigin(c.req.raw, c.var.config);
    await next();
  });
}
