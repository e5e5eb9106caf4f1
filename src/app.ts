import { type Context, type ErrorHandler, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env';
import { exceptClientGrant } from './clients/rate-limits';
import { ApiError, errorResponse } from './errors';
import { describeCause, log } from './log';
import { csrfGuard, originGuard } from './middleware/csrf-guard';
import { globalPath } from './middleware/global-path';
import { rateLimit } from './middleware/rate-limit';
import { requireSession } from './middleware/require-session';
import { DOCUMENT_PATH, openApiDocument } from './openapi/serve';
import { authRoutes } from './routes/auth';
import { type authedRoutes, PROTECTED_BASE_PATH } from './routes/authed-routes';
import { diagnoseRoutes } from './routes/diagnose';
import { healthRoutes } from './routes/health';
import { meRoutes } from './routes/me';
import { refreshRoutes } from './routes/refresh';
import { sessionRoutes } from './routes/sessions';
import { tokenRoutes } from './routes/tokens';
import { wellKnownRoutes } from './routes/well-known';

export interface AppOptions {
  /**
   * Your own protected routers (made with `authedRoutes()`), mounted behind
   * requireSession() and csrfGuard() like /api/me. See docs/api.md, "Add your own protected endpoint".
   */
  protectedRoutes?: ReadonlyArray<ReturnType<typeof authedRoutes>>;
}

/** Composes the Worker: headers, config, CORS, auth, routes, and the one place errors become responses. */
export function createApp(options: AppOptions = {}) {
  const app = new Hono<AppEnv>();
  // Request id, config, CORS, security headers, no-store by default, the failure log: one middleware.
  app.use('*', globalPath({ onError: errorToResponse }));

  // Per client IP and route group, before any work is done (the binding is AUTH_RATE_LIMIT).
  const limit = (group: string) => rateLimit({ group, limiter: (env) => env.AUTH_RATE_LIMIT, periodSeconds: 60 });
  app.post('/auth/signin/*', limit('sign-in'));
  app.get('/auth/signin/:provider', limit('sign-in'));
  // POST /auth/refresh spends its budgets itself, once it knows whether the token verifies: per
  // session for a genuine one, per IP for anything else (src/routes/refresh.ts, docs/api.md#rate-limits).
  app.get('/auth/callback/*', limit('callback'));
  // Auth.js checks its CSRF token; we check the Origin too, as for every cookie-authenticated write.
  // `/*` matches `/auth/signout` and `/auth/signout/`, which Auth.js also reads as a sign-out.
  app.post('/auth/signout/*', limit('sign-out'), originGuard());
  app.post('/api/sessions/*', limit('revocation'));
  // The client-credentials grant (form-encoded) has its own limits, per client and per IP: src/clients.
  app.post('/auth/token', exceptClientGrant(limit('token')));
  app.get('/api/me/export', limit('export'));
  app.delete('/api/me', limit('account-deletion'));

  // Chained, so the route types flow into AppType for the typed client (src/client.ts).
  const routes = app
    .route('/', healthRoutes)
    .route('/', wellKnownRoutes)
    .route('/', tokenRoutes)
    .route('/', refreshRoutes)
    .route('/', diagnoseRoutes)
    .route('/', authRoutes)
    .use(`${PROTECTED_BASE_PATH}/*`, requireSession(), csrfGuard())
    .route('/', meRoutes)
    .route('/', sessionRoutes)
    // The API has no pages of its own: browsers that land on its root go to the app.
    .get('/', (c) => c.redirect(c.var.config.appUrl, 302));

  for (const router of options.protectedRoutes ?? []) routes.route('/', router);

  // Built with the bundle from src/openapi/operations.ts (scripts/openapi.ts), served from the assets.
  routes.get(DOCUMENT_PATH, openApiDocument);

  app.notFound((c) => errorResponse(404, 'not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError(errorToResponse);
  return routes;
}

/** The one place errors become responses: ours carry their JSON; anything else is a bug, logged with its stack. */
function errorToResponse(error: Parameters<ErrorHandler<AppEnv>>[0], c: Context<AppEnv>): Response {
  if (error instanceof HTTPException) {
    c.set('errorCode', error instanceof ApiError ? error.code : 'bad_request');
    c.set('errorCause', describeCause(error.cause, error.status >= 500));
    // Ours always carry a JSON `res`; one thrown bare (by Hono itself) gets the same shape.
    return error.res ? error.getResponse() : errorResponse(error.status, 'bad_request', error.message || 'Bad request');
  }
  // A bug: the client gets a stable code, the log gets the stack.
  c.set('errorCode', 'internal_error');
  log('error', 'unhandled error', { request_id: c.get('requestId'), cause: describeCause(error, true) });
  return errorResponse(500, 'internal_error', 'Something went wrong on our side; it has been logged');
}

/** The API's route types, for `hc<AppType>` (see src/client.ts). */
export type AppType = ReturnType<typeof createApp>;
