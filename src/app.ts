import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from './app-env';
import { errorResponse } from './errors';
import { loadConfigMiddleware } from './middleware/load-config';
import { requireSession } from './middleware/require-session';
import { authRoutes } from './routes/auth';
import { healthRoutes } from './routes/health';
import { meRoutes } from './routes/me';

/** Composes the Worker: config, routes, and the one place errors become responses. */
export function createApp() {
  const app = new Hono<AppEnv>();
  app.use('*', loadConfigMiddleware());
  app.route('/', healthRoutes);
  app.route('/', authRoutes);
  app.use('/api/*', requireSession());
  app.route('/', meRoutes);
  // The API has no pages of its own: browsers that land on its root go to the app.
  app.get('/', (c) => c.redirect(c.var.config.appUrl, 302));

  app.notFound((c) => errorResponse(404, 'not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      // Ours always carry a JSON `res`; one thrown bare (by Hono itself) gets the same shape.
      const res = error.res
        ? error.getResponse()
        : errorResponse(error.status, 'bad_request', error.message || 'Bad request');
      if (res.status >= 500)
        console.error(`${c.req.method} ${c.req.path} -> ${res.status}`, error.message, error.cause);
      else if (error.cause) console.warn(`${c.req.method} ${c.req.path} -> ${res.status}`, String(error.cause));
      return res;
    }
    console.error(`${c.req.method} ${c.req.path} -> 500`, error);
    return errorResponse(500, 'internal_error', 'Something went wrong on our side; it has been logged');
  });
  return app;
}
