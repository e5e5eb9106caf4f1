import type { WorkspaceEnv } from '../workspace/settings';

/** Raw inputs, as strings, exactly as wrangler vars, secrets and `.dev.vars` supply them. */
export interface ConfigEnv extends WorkspaceEnv {
  AUTH_URL?: string;
  APP_URL?: string;
  COOKIE_DOMAIN?: string;
  ALLOWED_ORIGINS?: string;
  AUTH_SECRET?: string;
  AUTH_GOOGLE_ID?: string;
  AUTH_GOOGLE_SECRET?: string;
  AUTH_GOOGLE_ISSUER?: string;
  SESSION_SIGNING_KEYS?: string;
  SESSION_TOKEN_TTL?: string;
  SESSION_MAX_AGE?: string;
  SESSION_ABSOLUTE_MAX_AGE?: string;
  SESSION_SLIDE_INTERVAL?: string;
  TOKEN_AUDIENCES?: string;
  ACCESS_TOKEN_TTL?: string;
  REVOCATION_POLL?: string;
  DIAGNOSE?: string;
  SITE_NAME?: string;
  ALLOWED_EMAIL_DOMAINS?: string;
  ALLOWED_EMAILS?: string;
  /** JSON text (a TOML table in [vars], which wrangler binds as an object, is accepted too). */
  APP_ACCESS?: string;
  /** The D1 bindings sessions are split across (config/session-dbs); unset: all in DB. */
  SESSION_DBS?: string;
  /** JSON text (or a TOML table): gated origin → { roles?, public?, origin?, headers? } (src/gate, docs/gate.md). */
  GATES?: string;
}
