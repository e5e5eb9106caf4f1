import type { AdmissionPolicy } from './auth/admission';
import type { AppAccess } from './auth/app-access';
import { parseSessionDbs } from './db/session-dbs';

/**
 * Turns the Worker's `env` into one validated, typed Config. Parsed once per
 * isolate (per distinct env object); a bad value yields a ConfigError whose
 * message says what to change, and the app answers `500 misconfigured`.
 */

/** Raw inputs, as strings, exactly as wrangler vars, secrets and `.dev.vars` supply them. */
export interface ConfigEnv {
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
  /** The D1 bindings sessions are split across (db/session-dbs); unset: all in DB. */
  SESSION_DBS?: string;
}

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
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const GOOGLE_ISSUER = 'https://accounts.google.com';
export const SESSION_COOKIE_BASENAME = 'sitewide.session';
const MIN_SECRET_LENGTH = 32;

function required(env: ConfigEnv, name: keyof ConfigEnv): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(`${name} is not set; see .dev.vars.example and the README`);
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

/** Loopback development hosts, where plain http and host-only cookies are allowed. */
export function isLocalhost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

/**
 * Hosting suffixes on the Public Suffix List that people try first: a
 * `Domain=` cookie there is refused by browsers. The full list is checked at
 * deploy time (`npm run doctor`, run by `npm run deploy`), not shipped in the
 * Worker (tldts carried ~45 KiB gzip of it).
 */
export const KNOWN_HOSTING_SUFFIXES: ReadonlySet<string> = new Set([
  'workers.dev',
  'pages.dev',
  'r2.dev',
  'trycloudflare.com',
  'vercel.app',
  'now.sh',
  'netlify.app',
  'github.io',
  'gitlab.io',
  'herokuapp.com',
  'fly.dev',
  'onrender.com',
  'web.app',
  'firebaseapp.com',
  'appspot.com',
  'azurewebsites.net',
  'azurestaticapps.net',
  'cloudfront.net',
  'amplifyapp.com',
  'deno.dev',
  'ngrok.io',
  'ngrok-free.app',
  'glitch.me',
  'replit.app',
  'up.railway.app',
]);

/** Second-level labels that, under a two-letter country TLD, make a registry suffix (co.uk, com.au, ne.jp…). */
const COUNTRY_SECOND_LEVELS = new Set('ac co com edu gob go gov ltd me mil ne net nic nom or org plc sch'.split(' '));

/**
 * A cheap structural stand-in for the Public Suffix List, run at every isolate
 * start: one label (`com`, `dev`), a listed hosting suffix (KNOWN_HOSTING_SUFFIXES),
 * or a country second level (`co.uk`, `com.au`, `co.jp`, `org.nz`: a label of
 * COUNTRY_SECOND_LEVELS under a two-letter TLD). Anything else on the list
 * (e.g. `s3.amazonaws.com`, `blogspot.com`) is caught by `npm run doctor` before deploy.
 */
export function isPublicSuffix(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => !l)) return true;
  if (KNOWN_HOSTING_SUFFIXES.has(domain)) return true;
  const [second, tld] = labels as [string, string];
  return labels.length === 2 && tld.length === 2 && COUNTRY_SECOND_LEVELS.has(second);
}

/** `host` is `domain` itself or a subdomain of it (label-aligned, not a suffix match). */
export function isWithinDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
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

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

function listOf(env: ConfigEnv, name: 'ALLOWED_EMAIL_DOMAINS' | 'ALLOWED_EMAILS'): string[] {
  return [
    ...new Set(
      (env[name] ?? '')
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

function parseAdmission(env: ConfigEnv): AdmissionPolicy {
  const domains = listOf(env, 'ALLOWED_EMAIL_DOMAINS');
  for (const domain of domains) {
    if (!DOMAIN.test(domain)) {
      throw new ConfigError(
        `ALLOWED_EMAIL_DOMAINS entry '${domain}' must be a domain like example.com (no @, no scheme, no wildcard)`,
      );
    }
    if (isPublicSuffix(domain)) {
      throw new ConfigError(
        `ALLOWED_EMAIL_DOMAINS entry '${domain}' is a public suffix, not one organisation's domain`,
      );
    }
  }
  const emails = listOf(env, 'ALLOWED_EMAILS');
  for (const email of emails) {
    const at = email.lastIndexOf('@');
    if (at < 1 || email.indexOf('@') !== at || !DOMAIN.test(email.slice(at + 1)) || /\s/.test(email)) {
      throw new ConfigError(`ALLOWED_EMAILS entry '${email}' must be one email address like ada@example.com`);
    }
  }
  return { domains, emails: new Set(emails) };
}

/** Role names, as `npm run admin -- roles grant` accepts them (scripts/admin/args.ts): one rule, so every listed role can be granted. */
export const ROLE_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/;

function parseAppAccess(env: ConfigEnv, known: ReadonlySet<string>): AppAccess {
  const raw: unknown = env.APP_ACCESS;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return new Map();
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigError(`APP_ACCESS is not JSON; expected e.g. {"https://admin.example.com": ["admin"]}`);
    }
  }
  if (value === undefined) return new Map();
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`APP_ACCESS must be a JSON object: {"<origin or audience>": ["<role>", …]}`);
  }
  const access = new Map<string, readonly string[]>();
  for (const [key, roles] of Object.entries(value)) {
    if (!known.has(key)) {
      throw new ConfigError(
        `APP_ACCESS key '${key}' is not the API origin, an ALLOWED_ORIGINS origin or a TOKEN_AUDIENCES audience; known: ${[...known].join(', ')}`,
      );
    }
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => typeof r !== 'string' || !ROLE_NAME.test(r))) {
      throw new ConfigError(
        `APP_ACCESS '${key}' must list at least one role name (lower-case letters, digits, _ . : -, starting with a letter, at most 64), e.g. ["admin"]`,
      );
    }
    access.set(key, Object.freeze([...new Set(roles as string[])]));
  }
  return access;
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

  const authSecrets = required(env, 'AUTH_SECRET')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (authSecrets.some((s) => s.length < MIN_SECRET_LENGTH)) {
    throw new ConfigError(`AUTH_SECRET must be at least ${MIN_SECRET_LENGTH} characters (npm run keys:new makes one)`);
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
