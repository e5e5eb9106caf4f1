import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { ConfigError, loadConfig } from '../config';
import { dbFor } from '../db/client';
import { apiError } from '../errors';
import { loadSigningKeys } from '../session/keys';

/**
 * Validates config and imports the signing keys (both once per isolate) and
 * puts them on `c.var`, with the drizzle client over D1 (`c.var.db`). A misconfiguration answers `500 misconfigured` with a
 * message that says what to change: never a half-working service.
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
    c.set('db', dbFor(c.env.DB));
    await next();
  });
}

function misconfigured(error: ConfigError) {
  return apiError(500, 'misconfigured', error.message, { cause: error });
}
