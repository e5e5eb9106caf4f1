/**
 * @sitewide/verify: verify a Sitewide session in a sibling backend.
 *
 * Web APIs only (fetch, Request, Headers, WebCrypto through jose): the same code runs on Node ≥ 20,
 * Cloudflare Workers, Next.js edge middleware, Bun and Deno. Nothing here throws for a refused
 * request: every outcome is a result object.
 */
import {
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';

export const SESSION_TOKEN_TYP = 'sitewide-session+jwt';
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Sitewide's error codes (README "Errors"); a newer Sitewide may send others. */
export type SitewideErrorCode =
  | 'missing_session'
  | 'invalid_session'
  | 'session_expired'
  | 'session_revoked'
  | 'user_not_found'
  | 'user_disabled'
  | 'access_denied'
  | 'rate_limited'
  | 'misconfigured'
  | 'service_unavailable'
  | 'internal_error'
  | (string & {});

export interface SitewideUser {
  /** Sitewide's user id (the token's `sub`). */
  id: string;
  /** `null` when neither the token nor a refresh answer carried it. */
  email: string | null;
  name: string | null;
  image: string | null;
  /** The user's roles when the token was signed (empty when none). */
  roles: string[];
}

export interface SitewideSession {
  /** The session id (the token's `sid`). */
  id: string;
  /**
   * ISO 8601. After a local verification: when the token expires (Sitewide renews it after that);
   * after a refresh: the session's expiry as Sitewide answered it.
   */
  expiresAt: string | null;
}

/** What the Express and Hono middleware put on the request (`req.sitewide`, `c.var.sitewide`). */
export interface SitewideContext {
  user: SitewideUser;
  session: SitewideSession;
  via: 'cookie' | 'bearer';
}

export interface SitewideOk {
  ok: true;
  user: SitewideUser;
  session: SitewideSession;
  /** How the caller authenticated. */
  via: 'cookie' | 'bearer';
  /** Set-Cookie values to forward on your response (the renewed session cookie after a refresh); usually empty. */
  setCookie: string[];
}

export interface SitewideFailure {
  ok: false;
  status: number;
  code: SitewideErrorCode;
  message: string;
  /** The likely cause, for the developer reading the log (e.g. "this host may be outside COOKIE_DOMAIN"). */
  hint: string | null;
  /** Set-Cookie values Sitewide sent with a refused refresh (clearing the cookie); forward them too. */
  setCookie: string[];
}

export type SitewideResult = SitewideOk | SitewideFailure;

/** What `SitewideRpc.refresh(headers)` (a service binding to Sitewide's named entrypoint) answers. */
export type SitewideRpcResult =
  | {
      ok: true;
      user: Partial<SitewideUser> & { id: string };
      session: { id: string; expiresAt?: string | number | null };
      setCookie: string[];
    }
  | { ok: false; status: number; code: string; message: string; setCookie?: string[] };

/**
 * A Cloudflare service binding to Sitewide's `SitewideRpc` entrypoint
 * (`[[services]] binding = "SITEWIDE", service = "sitewide", entrypoint = "SitewideRpc"`).
 */
export interface SitewideBinding {
  refresh(headers: [string, string][] | Record<string, string>): Promise<SitewideRpcResult>;
}

export interface SitewideVerifierOptions {
  /** Sitewide's origin, e.g. `https://api.example.com`: its tokens' `iss`. */
  issuer: string;
  /** This backend's audience (one of Sitewide's TOKEN_AUDIENCES): Bearer access tokens are accepted for it. */
  audience?: string;
  /** Refresh over this service binding instead of `POST ${issuer}/auth/refresh`. */
  binding?: SitewideBinding;
  /** fetch for metadata, JWKS and refresh (default: the global fetch). */
  fetch?: typeof fetch;
  /**
   * Poll Sitewide's revocation feed (`revocations_uri` in sitewide.json) every `revocation_poll`
   * seconds and refuse a revoked session within that (default true). Off: revocation takes up to
   * one token lifetime here.
   */
  revocations?: boolean;
}

/** A standard Request, or just the two headers that matter. */
export type VerifyInput = Request | { cookie?: string | null; authorization?: string | null };

export interface SitewideVerifier {
  verify(input: VerifyInput, options?: { binding?: SitewideBinding }): Promise<SitewideResult>;
}

/** `/.well-known/sitewide.json`, the fields read here. */
interface SitewideMetadata {
  issuer: string;
  jwks_uri: string;
  session_cookie: { name: string; domain: string | null };
  /** The revocation feed and how often to poll it (seconds); absent from an older Sitewide. */
  revocations_uri?: string;
  revocation_poll?: number;
}

/** `GET /.well-known/sitewide-revocations?since=CURSOR`, as Sitewide answers it. */
interface RevocationPage {
  cursor: number;
  sessions: Array<{ id: string; at: number }>;
  users: Array<{ id: string; before: number }>;
  more: boolean;
  retention: number;
}

/** How long a verification waits for a revocation poll before going on with the last snapshot. */
const FEED_TIMEOUT_MS = 1500;

/**
 * This process's copy of Sitewide's revocation feed: polled at most once per interval, by the
 * verification that finds it stale (the others meanwhile wait for that same poll, up to
 * FEED_TIMEOUT_MS). While the feed fails, the last snapshot is kept and polls run without
 * holding verifications up: never a lock-out.
 */
function revocationSnapshot(fetchImpl: typeof fetch) {
  const sessions = new Map<string, number>();
  const users = new Map<string, number>();
  let cursor = 0;
  let retention = 0;
  let polledAt = 0;
  let attemptedAt = 0;
  let failing = false;
  let inFlight: Promise<void> | undefined;

  async function poll(uri: string): Promise<void> {
    try {
      for (let page = 0; page < 5; page++) {
        const res = await fetchImpl(`${uri}?since=${cursor}`, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(FEED_TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(`${uri} answered ${res.status}`);
        const body = (await res.json()) as RevocationPage;
        for (const s of body.sessions ?? []) sessions.set(String(s.id), Number(s.at));
        for (const u of body.users ?? []) users.set(String(u.id), Math.max(Number(u.before), users.get(u.id) ?? 0));
        cursor = Number(body.cursor) || 0;
        retention = Number(body.retention) || retention;
        if (!body.more) break;
      }
      const horizon = Date.now() / 1000 - retention;
      for (const [id, at] of sessions) if (at < horizon) sessions.delete(id);
      for (const [id, before] of users) if (before < horizon) users.delete(id);
      polledAt = Date.now();
      failing = false;
    } catch {
      failing = true;
    }
  }

  return {
    async refuses(meta: SitewideMetadata, payload: JWTPayload): Promise<boolean> {
      const uri = meta.revocations_uri;
      if (!uri) return false;
      const interval = (Number(meta.revocation_poll) || 5) * 1000;
      const now = Date.now();
      if (now - polledAt >= interval) {
        if (!inFlight && now - attemptedAt >= interval) {
          attemptedAt = now;
          inFlight = poll(uri).finally(() => {
            inFlight = undefined;
          });
        }
        if (inFlight && !failing) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([inFlight, new Promise((resolve) => (timer = setTimeout(resolve, FEED_TIMEOUT_MS)))]);
          clearTimeout(timer);
        }
      }
      if (sessions.has(String(payload.sid))) return true;
      const before = users.get(String(payload.sub));
      return before !== undefined && typeof payload.iat === 'number' && payload.iat < before;
    },
  };
}

const fail = (
  status: number,
  code: SitewideErrorCode,
  message: string,
  hint: string | null = null,
  setCookie: string[] = [],
): SitewideFailure => ({ ok: false, status, code, message, hint, setCookie });

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/** The other names a Sitewide session cookie goes by: `__Secure-` on https, plain on http. */
function siblingNames(name: string): string[] {
  const base = name.replace(/^__(Secure|Host)-/, '');
  return [base, `__Secure-${base}`, `__Host-${base}`].filter((n) => n !== name);
}

/** Every `name=value` pair of a Cookie header, duplicates kept (two pairs of one name are two cookies). */
export function cookiePairs(header: string | null | undefined): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const part of header?.split(';') ?? []) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name) pairs.push([name, part.slice(eq + 1).trim()]);
  }
  return pairs;
}

function headersOf(input: VerifyInput): { cookie: string | null; authorization: string | null } {
  if (typeof Request !== 'undefined' && input instanceof Request) {
    return { cookie: input.headers.get('cookie'), authorization: input.headers.get('authorization') };
  }
  const plain = input as { cookie?: string | null; authorization?: string | null; headers?: unknown };
  if (plain.headers && typeof (plain.headers as Headers).get === 'function') {
    // A Request from another realm (e.g. a polyfill): duck-typed.
    const headers = plain.headers as Headers;
    return { cookie: headers.get('cookie'), authorization: headers.get('authorization') };
  }
  return { cookie: plain.cookie ?? null, authorization: plain.authorization ?? null };
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function isoOf(value: unknown): string | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    return new Date(value < 1e12 ? value * 1000 : value).toISOString();
  }
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
  return null;
}

/** The user as the token's claims tell it; fields the token lacks are `null` (roles: empty). */
function userFromClaims(payload: JWTPayload): SitewideUser {
  return {
    id: String(payload.sub),
    email: str(payload.email),
    name: str(payload.name),
    image: str(payload.picture) ?? str(payload.image),
    roles: strings(payload.roles),
  };
}

const ERROR_STATUS: Record<string, number> = {
  missing_session: 401,
  invalid_session: 401,
  session_expired: 401,
  session_revoked: 401,
  user_not_found: 401,
  user_disabled: 403,
  access_denied: 403,
  rate_limited: 429,
};

/**
 * Creates a verifier for one Sitewide. It reads `${issuer}/.well-known/sitewide.json` once (the
 * cookie name, the JWKS URI), caches the key set (refetched when a token names an unknown kid), and
 * verifies each request locally; an expired but genuine session token costs one refresh at Sitewide.
 */
export function createSitewideVerifier(options: SitewideVerifierOptions): SitewideVerifier {
  const issuer = trimSlash(options.issuer);
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  let metadata: Promise<{ meta: SitewideMetadata; jwks: JWTVerifyGetKey }> | undefined;
  const revocations = options.revocations === false ? undefined : revocationSnapshot(fetchImpl);

  function loadMetadata() {
    metadata ??= (async () => {
      const res = await fetchImpl(`${issuer}/.well-known/sitewide.json`, { headers: { accept: 'application/json' } });
      if (!res.ok) throw new MetadataError(`${issuer}/.well-known/sitewide.json answered ${res.status}`);
      const meta = (await res.json()) as SitewideMetadata;
      if (!meta?.session_cookie?.name || !meta.jwks_uri) {
        throw new MetadataError(`${issuer}/.well-known/sitewide.json lacks session_cookie.name or jwks_uri`);
      }
      if (trimSlash(meta.issuer) !== issuer) {
        throw new MetadataError(
          `${issuer}/.well-known/sitewide.json names the issuer ${meta.issuer}: set issuer to exactly that origin`,
          true,
        );
      }
      const jwks = createRemoteJWKSet(new URL(meta.jwks_uri), {
        ...(options.fetch ? { [customFetch]: options.fetch } : {}),
      });
      return { meta, jwks };
    })();
    // A failed load is not cached: the next request tries again.
    metadata.catch(() => {
      metadata = undefined;
    });
    return metadata;
  }

  async function refresh(
    cookieName: string,
    token: string,
    binding: SitewideBinding | undefined,
  ): Promise<SitewideRpcResult> {
    const cookie = `${cookieName}=${token}`;
    if (binding) return binding.refresh([['cookie', cookie]]);
    const res = await fetchImpl(`${issuer}/auth/refresh`, {
      method: 'POST',
      headers: { cookie, accept: 'application/json' },
      redirect: 'manual',
    });
    const setCookie = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      body = undefined;
    }
    if (res.ok) {
      const ok = body as { user?: SitewideUser; session?: { id: string; expiresAt?: string | number } };
      if (ok?.user?.id && ok.session?.id) return { ok: true, user: ok.user, session: ok.session, setCookie };
    }
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (error?.code && res.status >= 400) {
      return { ok: false, status: res.status, code: error.code, message: error.message ?? error.code, setCookie };
    }
    return {
      ok: false,
      status: 503,
      code: 'service_unavailable',
      message: `${issuer}/auth/refresh answered ${res.status} without Sitewide's JSON`,
      setCookie,
    };
  }

  async function verifyToken(
    token: string,
    via: 'cookie' | 'bearer',
    meta: SitewideMetadata,
    jwks: JWTVerifyGetKey,
  ): Promise<{ ok: true; payload: JWTPayload } | { ok: false; expired?: JWTPayload; failure: SitewideFailure }> {
    const typ = via === 'bearer' ? ACCESS_TOKEN_TYP : SESSION_TOKEN_TYP;
    const audience = via === 'bearer' ? (options.audience as string) : issuer;
    const invalid = (message: string, hint: string | null) => ({
      ok: false as const,
      failure: fail(401, 'invalid_session', message, hint),
    });
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return invalid('The token is malformed', null);
    }
    if (header.typ !== typ) {
      const other =
        header.typ === SESSION_TOKEN_TYP
          ? 'a Sitewide session token was sent as Bearer: send the cookie, or mint an access token at POST /auth/token'
          : header.typ === ACCESS_TOKEN_TYP
            ? 'an access token was sent as the session cookie'
            : `the token's typ is ${String(header.typ)}, not ${typ}`;
      return invalid(`The token is not a ${typ}`, other);
    }
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience,
        algorithms: ['ES256'],
        typ,
        requiredClaims: ['sub', 'sid', 'exp', 'iat'],
      });
      return { ok: true, payload };
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        return {
          ok: false,
          expired: error.payload,
          failure: fail(
            401,
            'session_expired',
            via === 'bearer' ? 'The access token has expired' : 'The session token has expired',
            via === 'bearer' ? `mint a new access token at ${issuer}/auth/token and retry` : null,
          ),
        };
      }
      if (error instanceof errors.JWKSNoMatchingKey) {
        return invalid(
          'The token is signed by a key Sitewide does not publish',
          `its kid ${JSON.stringify(header.kid ?? null)} is not in ${meta.jwks_uri}: a token from another Sitewide (another environment), or from a retired key`,
        );
      }
      if (error instanceof errors.JWTClaimValidationFailed) {
        if (error.claim === 'aud') {
          const aud = (error.payload as JWTPayload).aud;
          return invalid(
            'The token was issued for another audience',
            `a token for ${JSON.stringify(aud)}, not for ${JSON.stringify(audience)}${
              via === 'bearer' ? `: mint one with {"audience": "${audience}"}` : ''
            }`,
          );
        }
        if (error.claim === 'iss') {
          return invalid(
            'The token was issued by another Sitewide',
            `a token from issuer ${JSON.stringify((error.payload as JWTPayload).iss)}, not ${issuer}`,
          );
        }
        return invalid('The token is not valid', `claim ${error.claim} refused: ${error.reason}`);
      }
      // Sitewide's key set unreachable or unreadable: not the token's fault (503 from verify()).
      const keySetTrouble =
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid ||
        (error instanceof Error && (!(error instanceof errors.JOSEError) || error.constructor === errors.JOSEError));
      if (keySetTrouble) throw error;
      return invalid('The token is not valid: malformed, tampered with or signed by another key', null);
    }
  }

  async function verify(input: VerifyInput, perCall: { binding?: SitewideBinding } = {}): Promise<SitewideResult> {
    try {
      return await verifyOrThrow(input, perCall.binding ?? options.binding);
    } catch (error) {
      if (error instanceof MetadataError && error.misconfigured) {
        return fail(500, 'misconfigured', 'The Sitewide verifier is misconfigured', error.message);
      }
      return fail(
        503,
        'service_unavailable',
        'Sitewide could not be reached; retry',
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  async function verifyOrThrow(input: VerifyInput, binding: SitewideBinding | undefined): Promise<SitewideResult> {
    const { cookie, authorization } = headersOf(input);
    const { meta, jwks } = await loadMetadata();
    const cookieName = meta.session_cookie.name;

    if (authorization && /^bearer\b/i.test(authorization)) {
      const token = /^bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(authorization)?.[1];
      if (!token) return fail(401, 'invalid_session', 'The Authorization header must be "Bearer <token>"', null);
      if (!options.audience) {
        return fail(
          401,
          'invalid_session',
          'This backend accepts no Bearer tokens',
          'pass `audience` (one of Sitewide TOKEN_AUDIENCES) to accept access tokens',
        );
      }
      const checked = await verifyToken(token, 'bearer', meta, jwks);
      if (!checked.ok) return checked.failure;
      if (await revocations?.refuses(meta, checked.payload)) return revokedFailure(meta);
      return ok(userFromClaims(checked.payload), checked.payload, 'bearer', []);
    }

    const pairs = cookiePairs(cookie);
    const values = pairs.filter(([name]) => name === cookieName).map(([, value]) => value);
    if (values.length > 1) {
      return fail(
        401,
        'invalid_session',
        'The session cookie was sent more than once',
        `${values.length} cookies named ${cookieName} arrived: one was likely tossed by another host under the cookie's domain (or a host-only leftover); neither is picked. Sitewide clears the copies it did not set at its next request`,
      );
    }
    const token = values[0];
    if (!token) return fail(401, 'missing_session', 'Sign in with Sitewide first', missingHint(pairs, meta));

    const checked = await verifyToken(token, 'cookie', meta, jwks);
    if (checked.ok && (await revocations?.refuses(meta, checked.payload))) return revokedFailure(meta);
    if (checked.ok) return ok(userFromClaims(checked.payload), checked.payload, 'cookie', []);
    if (!checked.expired) return checked.failure;

    // Genuine but expired: one refresh at Sitewide, which checks the session row and re-signs.
    const renewed = await refresh(cookieName, token, binding);
    if (!renewed.ok) {
      return fail(
        renewed.status || ERROR_STATUS[renewed.code] || 401,
        renewed.code,
        renewed.message,
        `the session token expired and Sitewide refused to renew it (${renewed.code})`,
        renewed.setCookie ?? [],
      );
    }
    const claims = userFromClaims(checked.expired);
    const answered = renewed.user;
    const user: SitewideUser = {
      id: str(answered.id) ?? claims.id,
      email: str(answered.email) ?? claims.email,
      name: str(answered.name) ?? claims.name,
      image: str(answered.image) ?? claims.image,
      roles: Array.isArray(answered.roles) ? strings(answered.roles) : claims.roles,
    };
    return {
      ok: true,
      user,
      session: {
        id: str(renewed.session.id) ?? String(checked.expired.sid),
        expiresAt: isoOf(renewed.session.expiresAt),
      },
      via: 'cookie',
      setCookie: renewed.setCookie ?? [],
    };
  }

  function ok(user: SitewideUser, payload: JWTPayload, via: 'cookie' | 'bearer', setCookie: string[]): SitewideOk {
    return { ok: true, user, session: { id: String(payload.sid), expiresAt: isoOf(payload.exp) }, via, setCookie };
  }

  function revokedFailure(meta: SitewideMetadata): SitewideFailure {
    return fail(
      401,
      'session_revoked',
      'This session was signed out or revoked; sign in again',
      `Sitewide's revocation feed (${meta.revocations_uri}) lists this session or its user`,
    );
  }

  function missingHint(pairs: Array<[string, string]>, meta: SitewideMetadata): string {
    const names = new Set(pairs.map(([name]) => name));
    const other = siblingNames(meta.session_cookie.name).find((name) => names.has(name));
    if (other) {
      return `a cookie named ${other} arrived, but this Sitewide (${issuer}) names its session cookie ${meta.session_cookie.name}: it belongs to another environment (http vs https, or another deployment)`;
    }
    if (pairs.length > 0) {
      return `other cookies arrived but not ${meta.session_cookie.name}: this host may be outside COOKIE_DOMAIN (${meta.session_cookie.domain ?? 'host-only'}), or the request was made without credentials: 'include'`;
    }
    return `no cookies arrived: sign in at ${issuer}, and call this backend with credentials: 'include' from a host under ${meta.session_cookie.domain ?? 'the API host'}`;
  }

  return { verify };
}

class MetadataError extends Error {
  constructor(
    message: string,
    readonly misconfigured = false,
  ) {
    super(message);
  }
}

/** True when the user holds at least one of `roles` (an empty list requires none). */
export function hasAnyRole(user: SitewideUser, roles: readonly string[] | undefined): boolean {
  return !roles || roles.length === 0 || roles.some((role) => user.roles.includes(role));
}

/** The 403 for a user without any of the required roles. */
export function accessDenied(roles: readonly string[]): SitewideFailure {
  return fail(403, 'access_denied', `Requires one of the roles: ${roles.join(', ')}`, null);
}

/** The body Sitewide itself answers failures with, plus the hint. */
export function errorBody(failure: SitewideFailure): {
  error: { code: string; message: string; hint?: string };
} {
  return {
    error: {
      code: failure.code,
      message: failure.message,
      ...(failure.hint ? { hint: failure.hint } : {}),
    },
  };
}
