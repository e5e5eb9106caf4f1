import { Hono } from 'hono';
import type { AuthedEnv } from '../app-env';

/** Where createApp mounts requireSession() and csrfGuard(): every protected endpoint lives under it. */
export const PROTECTED_BASE_PATH = '/api';

/**
 * A router for endpoints that need a signed-in caller. Its paths are under
 * `/api` (`.get('/me', …)` serves `GET /api/me`), where createApp runs
 * requireSession() and csrfGuard() before any of its handlers, and its handlers
 * see `c.var.session`. See docs/api.md, "Add your own protected endpoint".
 */
export function authedRoutes() {
  return new Hono<AuthedEnv>().basePath(PROTECTED_BASE_PATH);
}
