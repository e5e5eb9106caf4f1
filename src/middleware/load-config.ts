import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { ConfigError, loadConfig } from '../config';
import { setBookmarkCookie } from '../db/request-db';
import { apiError } from '../errors';
import { loadSigningKeys } from '../session/keys';

/**
 * Validates config and imports the signing keys (both once per isolate) and
 * puts them on `c.var`. A misconfiguration answers `500 misconfigured` with a
 * message that says what to change: never a half-working service. D1 is
 * opened by the routes that need it (db/request-db, one D1 session per
 * request); after a request that wrote, the response carries the D1 bookmark
 * cookie (db/bookmark).
 */
export function loadConfigMiddleware() {
  return createMiddleware<AppEnv>(async function loadConfigAndKeys(c, next) {
    const config = loadConfig(c.env);
    if (config instanceof ConfigError) throw misconfigured(config);
    try {
      c.set('keys', await loadSigningKeys(config.signingKeysJson));
    } catch (error) {
      if (error instanceof ConfigError) throw misconfigured(error);
      throw error;
    }
    c.set('config', config);
    await next();
    setBookmarkCookie(c);
  });
}

function misconfigured(error: ConfigError) {
  return apiError(500, 'misconfigured', error.message, { cause: error });
}
