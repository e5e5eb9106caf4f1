import { Hono } from 'hono';
import type { AppEnv } from '../app-env';

/** `GET /health`: no auth; answers only once config and keys loaded (else 500 misconfigured). */
export const healthRoutes = new Hono<AppEnv>().get('/health', (c) => c.json({ status: 'ok' }));
