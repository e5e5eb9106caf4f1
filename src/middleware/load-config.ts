import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import { type Config, ConfigError, loadConfig } from '../config/config';
import { apiError } from '../errors';
import { importedSigningKeys, loadSigningKeys, type SigningKeys } from '../session/keys';

/**
 * Validates config and imports the signing keys (both once per isolate) and
 * puts them on `c.var`. A misconfiguration throws `500 misconfigured` with a
 * message that says what to change: never a half-working service. Returns a
 * promise only while the keys are first imported; after that it is synchronous
 * (the global path's hot path). D1 is opened by the routes that need it
 * (middleware/request-db, one D1 session per request); after a request that wrote, the
 * response carries the D1 bookmark cookie (db/bookmark, set by globalPath
 * after the handler).
 */
export function loadConfigInto(c: Context<AppEnv>): undefined | Promise<void> {
  const config = loadConfig(c.env);
  if (config instanceof ConfigError) throw misconfigured(config);
  const keys = importedSigningKeys(config.signingKeysJson);
  if (keys) {
    setConfig(c, config, keys);
    return undefined;
  }
  return loadSigningKeys(config.signingKeysJson).then(
    (imported) => setConfig(c, config, imported),
    (error: unknown) => {
      throw error instanceof ConfigError ? misconfigured(error) : error;
    },
  );
}

function setConfig(c: Context<AppEnv>, config: Config, keys: SigningKeys) {
  c.set('keys', keys);
  c.set('config', config);
}

function misconfigured(error: ConfigError) {
  return apiError(500, 'misconfigured', error.message, { cause: error });
}
