import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { documented } from '../openapi/describe';

/** `GET /health`: no auth; answers only once config and keys loaded (else 500 misconfigured). */
export const healthRoutes = new Hono<AppEnv>().get(
  '/health',
  documented({
    summary: 'Liveness: answers once config and keys load',
    tags: ['meta'],
    ok: { schema: { type: 'object', properties: { status: { const: 'ok' } } } },
  }),
  (c) => c.json({ status: 'ok' }),
);
