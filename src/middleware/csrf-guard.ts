import { createMiddleware } from 'hono/factory';
import type { AuthedEnv } from '../app-env';
import { apiError } from '../errors';

/** Methods that change nothing (Hono's csrf middleware uses the same rule); every other method is checked. */
const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;

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
    if (!SAFE_METHOD.test(c.req.method) && c.var.authMethod === 'cookie') {
      const { config } = c.var;
      const origin = c.req.header('origin');
      if (!origin || (origin !== config.apiOrigin && !config.allowedOrigins.has(origin))) {
        throw apiError(
          403,
          'csrf_rejected',
          origin
            ? `Origin '${origin}' may not make cookie-authenticated ${c.req.method} requests; allowed: the API and ALLOWED_ORIGINS`
            : `Cookie-authenticated ${c.req.method} requests must carry an Origin header`,
        );
      }
    }
    await next();
  });
}
