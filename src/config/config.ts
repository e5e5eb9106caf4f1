import type { AdmissionPolicy } from '../access/admission';
import type { AppAccess } from '../access/app-access';
import { type Gates, parseGates, withDefaultRoles } from '../gate/settings';
import { parseWorkspaceLink, type WorkspaceLink } from '../workspace/settings';
import { parseAdmission, parseAppAccess } from './access';
import { ConfigError } from './config-error';
import { isLocalhost, isPublicSuffix, isWithinDomain } from './domain-rules';
import type { ConfigEnv } from './env';
import { parseSessionDbs } from './session-dbs';

/**
 * Turns the Worker's `env` into one validated, typed Config. Parsed once per
 * isolate (per distinct env object); a bad value yields a ConfigError whose
 * message says what to change, and the app answers `500 misconfigured`.
 */

export interface Config {
  /** Origin of the API, e.g. `https://api.example.com`; the token issuer. */
  apiOrigin: string;
  /** Where a browser lands after sign-in when its callbackUrl is not allowed. */
  appUrl: string;
  /** `Domain=` of the session cookie; undefined on plain-http localhost (host-only). */
  cookieDomain: string | undefined;
  /** Exact origins allowed as redirect targets (and, later, for CORS). */
  allowedOrigins: ReadonlySet<string>;
  /** true when AUTH_URL is https: `__Secure-` names and the Secure attribute. */
  secureCookies: boolean;
  sessionCookieName: string;
  /** Auth.js secrets for its own flow cookies, newest first. */
  authSecrets: string[];
  google: { clientId: string; clientSecret: string; issuer: string };
  /** Raw JSON of the private signing JWKs; imported (async) by session/keys. */
  signingKeysJson: string;
  /** Lifetime of the signed token inside the cookie, seconds. */
  sessionTokenTtl: number;
  /** Idle lifetime of the cookie and the session row, seconds; each refresh slides it. */
  sessionMaxAge: number;
  /** Absolute cap on a session, seconds from sign-in, however active it stays. */
  sessionAbsoluteMaxAge: number;
  /**
   * Seconds between writes of the sliding expiry (SESSION_SLIDE_INTERVAL, default one day): a
   * refresh only reads D1 unless the last slide is this old, so idle expiry comes at most this
   * much earlier than with a write per refresh.
   */
  sessionSlideInterval: number;
  /** Audiences `POST /auth/token` may mint access tokens for; always includes the API itself. */
  tokenAudiences: ReadonlySet<string>;
  /** Lifetime of an access token, seconds. */
  accessTokenTtl: number;
  /**
   * Seconds between an isolate's polls of the revocation feed (REVOCATION_POLL, default 5;
   * fractions allowed): a revoked session is refused within this plus the feed's write latency.
   */
  revocationPoll: number;
  /** GET /auth/diagnose is served (DIAGNOSE=on); off by default. */
  diagnose: boolean;
  /** The site's name on the sign-in page (SITE_NAME); the API's host when unset. */
  siteName: string;
  /** Who may sign in (ALLOWED_EMAIL_DOMAINS, ALLOWED_EMAILS; invitations live in D1). Nothing listed: anyone. */
  admission: AdmissionPolicy;
  /** APP_ACCESS: origin or audience → the roles it requires (any one of them). */
  appAccess: AppAccess;
  /** SESSION_DBS: the D1 binding names that hold sessions, by a hash of the user id; empty: `DB` alone. */
  sessionDbs: readonly string[];
  /** The Workspace link (GOOGLE_SERVICE_ACCOUNT, GROUP_ROLES…: src/workspace); undefined when off. */
  workspace: WorkspaceLink | undefined;
  /** GATES: the hosts this Worker gates (src/gate); their origins are in `allowedOrigins` too. */
  gates: Gates;
}

export { ConfigError };

export const GOOGLE_ISSUER = 'https://accounts.google.com';
export const SESSION_COOKIE_BASENAME = 'sitewide.session';
const MIN_SECRET_LENGTH = 32;

/** Where a missing secret comes from: the command that makes it, locally and in production. */
const MAKE_SECRET: Partial<Record<keyof ConfigEnv, string>> = {
  AUTH_SECRET:
    'locally, delete its line from .dev.vars and run npm run dev (it writes a fresh one); in production, npm run keys:secrets prints the command',
  SESSION_SIGNING_KEYS:
    'locally, delete its line from .dev.vars and run npm run dev (it writes a fresh key); in production, npm run keys:secrets prints the command',
  AUTH_GOOGLE_SECRET:
    'locally, any value (npm run dev writes one); in production, the client secret from the Google Cloud console',
};

function required(env: ConfigEnv, name: keyof ConfigEnv): string {
  const value = env[name]?.trim();
  if (!value) {
    throw new ConfigError(
      `${name} is not set: ${MAKE_SECRET[name] ?? 'see .dev.vars.example and docs/configuration.md'}`,
    );
  }
  return value;
}

function parseOrigin(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} '${value}' is not a URL; expected e.g. https://api.example.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${name} '${value}' must be an http(s) URL`);
  }
  return url;
}

function parseSeconds(env: ConfigEnv, name: keyof ConfigEnv, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    throw new ConfigError(`${name} '${raw}' must be a positive whole number of seconds`);
  }
  return n;
}

/** REVOCATION_POLL: seconds (fractions allowed), from 0.05 to 60, shorter than the token lifetime. */
function parseRevocationPoll(env: ConfigEnv, sessionTokenTtl: number): number {
  const raw = env.REVOCATION_POLL?.trim();
  if (!raw) return 5;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0.05 || n > 60) {
    throw new ConfigError(
      `REVOCATION_POLL '${raw}' must be seconds from 0.05 to 60 (default 5): how often each isolate polls the revocation feed`,
    );
  }
  if (n >= sessionTokenTtl) {
    throw new ConfigError('REVOCATION_POLL must be shorter than SESSION_TOKEN_TTL, the bound it improves on');
  }
  return n;
}

function parseSwitch(env: ConfigEnv, name: keyof ConfigEnv): boolean {
  const raw = env[name]?.trim().toLowerCase() ?? '';
  if (raw === 'on' || raw === 'true' || raw === '1') return true;
  if (raw === '' || raw === 'off' || raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} '${env[name]}' must be on or off`);
}

/** Validates `env` and returns the Config; throws ConfigError with an actionable message. */
export function parseConfig(env: ConfigEnv): Config {
  const authUrl = parseOrigin('AUTH_URL', required(env, 'AUTH_URL'));
  const secureCookies = authUrl.protocol === 'https:';
  if (!secureCookies && !isLocalhost(authUrl.hostname)) {
    throw new ConfigError(`AUTH_URL '${authUrl.origin}' must be https (plain http is only for localhost development)`);
  }

  const cookieDomain = required(env, 'COOKIE_DOMAIN').toLowerCase().replace(/^\./, '');
  if (secureCookies && isPublicSuffix(cookieDomain)) {
    throw new ConfigError(
      `COOKIE_DOMAIN '${cookieDomain}' is a public suffix; browsers reject Domain= cookies there. Use a domain you own`,
    );
  }
  if (!isWithinDomain(authUrl.hostname, cookieDomain)) {
    throw new ConfigError(
      `AUTH_URL host '${authUrl.hostname}' is not inside COOKIE_DOMAIN '${cookieDomain}'; browsers would drop the cookie`,
    );
  }

  const appUrl = parseOrigin('APP_URL', required(env, 'APP_URL'));
  const allowedOrigins = new Set<string>();
  for (const entry of (env.ALLOWED_ORIGINS ?? '').split(',')) {
    const value = entry.trim();
    if (!value) continue;
    const url = parseOrigin('ALLOWED_ORIGINS', value);
    if (url.origin !== value.replace(/\/$/, '')) {
      throw new ConfigError(
        `ALLOWED_ORIGINS entry '${value}' must be a bare origin like https://app.example.com (no path)`,
      );
    }
    if (url.protocol !== 'https:' && !isLocalhost(url.hostname)) {
      throw new ConfigError(`ALLOWED_ORIGINS entry '${value}' must be https (plain http is only for localhost)`);
    }
    if (!isLocalhost(url.hostname) && !isWithinDomain(url.hostname, cookieDomain)) {
      throw new ConfigError(
        `ALLOWED_ORIGINS entry '${value}' is outside COOKIE_DOMAIN '${cookieDomain}': the session cookie never reaches it`,
      );
    }
    allowedOrigins.add(url.origin);
  }
  // Gated origins are redirect targets and allowed origins like ALLOWED_ORIGINS entries.
  const gates = parseGates(env.GATES, { apiOrigin: authUrl.origin, cookieDomain });
  for (const origin of gates.keys()) allowedOrigins.add(origin);

  const authSecrets = required(env, 'AUTH_SECRET')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (authSecrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
    throw new ConfigError(
      `AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters (npm run keys:secrets prints a fresh one)`,
    );
  }
  const clientSecret = required(env, 'AUTH_GOOGLE_SECRET');

  const issuer = env.AUTH_GOOGLE_ISSUER?.trim() || GOOGLE_ISSUER;
  parseOrigin('AUTH_GOOGLE_ISSUER', issuer);

  const sessionTokenTtl = parseSeconds(env, 'SESSION_TOKEN_TTL', 600);
  const sessionMaxAge = parseSeconds(env, 'SESSION_MAX_AGE', 30 * 24 * 3600);
  const sessionAbsoluteMaxAge = parseSeconds(env, 'SESSION_ABSOLUTE_MAX_AGE', 90 * 24 * 3600);
  if (sessionTokenTtl > sessionMaxAge) {
    throw new ConfigError('SESSION_TOKEN_TTL must not be longer than SESSION_MAX_AGE');
  }
  if (sessionMaxAge > sessionAbsoluteMaxAge) {
    throw new ConfigError('SESSION_MAX_AGE must not be longer than SESSION_ABSOLUTE_MAX_AGE');
  }
  // Default: a day, or half the idle lifetime when that is shorter.
  const sessionSlideInterval = parseSeconds(
    env,
    'SESSION_SLIDE_INTERVAL',
    Math.min(24 * 3600, Math.floor(sessionMaxAge / 2)),
  );
  if (sessionSlideInterval >= sessionMaxAge) {
    throw new ConfigError(
      'SESSION_SLIDE_INTERVAL must be shorter than SESSION_MAX_AGE: a session idle that long has already ended',
    );
  }
  // Browsers cap cookie lifetimes at 400 days (RFC 6265bis §5.6.2); a longer session could not be kept.
  if (sessionAbsoluteMaxAge > 400 * 24 * 3600) {
    throw new ConfigError('SESSION_ABSOLUTE_MAX_AGE must be at most 400 days (34560000 seconds)');
  }

  const tokenAudiences = new Set([authUrl.origin]);
  for (const entry of (env.TOKEN_AUDIENCES ?? '').split(',')) {
    const audience = entry.trim();
    if (!audience) continue;
    if (/\s/.test(audience)) throw new ConfigError(`TOKEN_AUDIENCES entry '${audience}' must not contain spaces`);
    tokenAudiences.add(audience);
  }
  const accessTokenTtl = parseSeconds(env, 'ACCESS_TOKEN_TTL', 300);
  if (accessTokenTtl > 3600) {
    throw new ConfigError(
      'ACCESS_TOKEN_TTL must be at most 3600 seconds: a backend that only checks signatures cannot refuse a revoked one sooner',
    );
  }

  const revocationPoll = parseRevocationPoll(env, sessionTokenTtl);
  const admission = parseAdmission(env);
  const appAccess = parseAppAccess(env, new Set([authUrl.origin, ...allowedOrigins, ...tokenAudiences]));
  const sessionDbs = parseSessionDbs(env as unknown as Record<string, unknown>);
  if (!sessionDbs.ok) throw new ConfigError(sessionDbs.message);
  const workspace = parseWorkspaceLink(env);

  return {
    apiOrigin: authUrl.origin,
    appUrl: appUrl.href,
    // Browsers refuse `Domain=localhost` and `__Secure-` on plain http: host-only there.
    cookieDomain: secureCookies ? cookieDomain : undefined,
    allowedOrigins,
    secureCookies,
    sessionCookieName: secureCookies ? `__Secure-${SESSION_COOKIE_BASENAME}` : SESSION_COOKIE_BASENAME,
    authSecrets,
    google: { clientId: required(env, 'AUTH_GOOGLE_ID'), clientSecret, issuer: issuer.replace(/\/$/, '') },
    signingKeysJson: required(env, 'SESSION_SIGNING_KEYS'),
    sessionTokenTtl,
    sessionMaxAge,
    sessionAbsoluteMaxAge,
    sessionSlideInterval,
    tokenAudiences,
    accessTokenTtl,
    revocationPoll,
    diagnose: parseSwitch(env, 'DIAGNOSE'),
    siteName: env.SITE_NAME?.trim() || authUrl.host,
    admission,
    appAccess,
    sessionDbs: sessionDbs.names,
    workspace,
    gates: withDefaultRoles(gates, appAccess),
  };
}

const cache = new WeakMap<object, Config | ConfigError>();

/** parseConfig, memoised per env object (one parse per isolate in production). */
export function loadConfig(env: ConfigEnv): Config | ConfigError {
  let result = cache.get(env);
  if (!result) {
    try {
      result = parseConfig(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      result = error;
    }
    cache.set(env, result);
  }
  return result;
}
