import type { Config } from './config/config';
import type { RequestD1 } from './db/request-d1';
import type { SigningKeys } from './session/keys';
import type { SessionClaims } from './session/token';

/** Hono generics shared by the app, its routes and middleware. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    config: Config;
    keys: SigningKeys;
    /** The request's D1 sessions and drizzle clients by database, set on first use by middleware/request-db's requestDb(c, …). */
    d1?: RequestD1;
    /** How requireSession authenticated the request, when it did (for the log line). */
    authMethod?: 'cookie' | 'bearer';
    /** Set by requestLog; echoed as X-Request-Id. */
    requestId: string;
    /** Set by onError, for the request's log line. */
    errorCode: string;
    errorCause: unknown;
  };
}

/**
 * The env of handlers behind `requireSession()`: only here is `c.var.session`
 * typed, so a handler that reads the caller outside the protected mount does
 * not compile. Routers of this env come from `authedRoutes()`.
 */
export interface AuthedEnv extends AppEnv {
  Variables: AppEnv['Variables'] & {
    /** The verified caller: our user id (`sub`) and session id (`sid`). */
    session: SessionClaims;
    /** How the caller authenticated: CSRF rules apply to cookies only. */
    authMethod: 'cookie' | 'bearer';
  };
}
