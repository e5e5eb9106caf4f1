import type { Config } from './config';
import type { Db } from './db/client';
import type { SigningKeys } from './session/keys';
import type { SessionClaims } from './session/token';

/** Hono generics shared by the app, its routes and middleware. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    keys: SigningKeys;
    /** The request's drizzle client over D1 (one per isolate and binding; see db/client). */
    db: Db;
    /** Set by requireSession on authenticated requests. */
    session: SessionClaims;
    /** How requireSession authenticated the request: CSRF rules apply to cookies only. */
    authMethod: 'cookie' | 'bearer';
    /** Set by requestLog; echoed as X-Request-Id. */
    requestId: string;
    /** Set by onError, for the request's log line. */
    errorCode: string;
    errorCause: unknown;
  };
}
