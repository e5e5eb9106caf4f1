import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { apiError } from '../errors';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * CSRF for cookie-authenticated writes. Sibling subdomains are same-site, so
 * SameSite=Lax does not stop a hostile sibling: an unsafe request must carry an
 * `Origin` that is the API's own or exactly one of ALLOWED_ORIGINS. A missing
 * or `null` Origin is refused. Bearer-authenticated requests carry no ambient
 * credential and are exempt. Mount after requireSession.
 */
export function csrfGuard() {
  return createMiddleware<AppEnv>(async function csrfGuard(c, next) {
    if (UNSAFE.has(c.req.method) && c.var.authMethod === 'cookie') {
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
