import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { apiError } from '../errors';
import { diagnoseRequest } from '../session/diagnose';

/**
 * `GET /auth/diagnose`: why this browser's request is or is not authenticated
 * (see diagnoseRequest). Off unless DIAGNOSE=on: it tells a caller about the
 * deployment's cookie setup, which production need not publish.
 */
export const diagnoseRoutes = new Hono<AppEnv>().get('/auth/diagnose', async function diagnose(c) {
  const { config, keys } = c.var;
  if (!config.diagnose)
    throw apiError(404, 'not_found', 'GET /auth/diagnose is disabled here (set DIAGNOSE=on to enable it)');
  const report = await diagnoseRequest(
    {
      cookieHeader: c.req.header('cookie'),
      authorization: c.req.header('authorization'),
      origin: c.req.header('origin'),
    },
    config,
    keys,
  );
  return c.json(report);
});
