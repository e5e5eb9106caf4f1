/**
 * `createSitewideVerifier()`: the request → result flow. A Bearer access token (a user's, or with
 * `allowClients` a service client's) or the session cookie is verified locally with Sitewide's
 * public keys; the revocation snapshot is consulted; an expired but genuine session token is renewed
 * at Sitewide once, however many requests carry it.
 */
import { clientFromClaims, type SitewideClient } from './client.ts';
import { headersOf, sessionCookieToken, type VerifyInput } from './cookies.ts';
import { ERROR_STATUS, fail, type SitewideFailure } from './errors.ts';
import { type LoadedMetadata, MetadataError, metadataLoader, trimSlash } from './metadata.ts';
import { renewAtSitewide, type SitewideBinding, type SitewideRpcResult } from './refresh.ts';
import { revocationSnapshot } from './revocations.ts';
import { singleFlight, tokenKey } from './single-flight.ts';
import { checkToken } from './token.ts';
import {
  renewedSession,
  renewedUser,
  type SitewideSession,
  type SitewideUser,
  sessionFromClaims,
  userFromClaims,
} from './user.ts';

export interface SitewideVerifierOptions {
  /** Sitewide's origin, e.g. `https://api.example.com`: its tokens' `iss`. */
  issuer: string;
  /** This backend's audience (one of Sitewide's TOKEN_AUDIENCES): Bearer access tokens are accepted for it. */
  audience?: string;
  /** Refresh over this service binding instead of `POST ${issuer}/auth/refresh`. */
  binding?: SitewideBinding;
  /** fetch for metadata, JWKS, revocations and refresh (default: the global fetch). */
  fetch?: typeof fetch;
  /**
   * Poll Sitewide's revocation feed (`revocations_uri` in sitewide.json) every `revocation_poll`
   * seconds and refuse a revoked session within that (default true). Off: revocation takes up to
   * one token lifetime here.
   */
  revocations?: boolean;
  /**
   * Accept service clients' access tokens (machines: `sub` = `client:<id>`, from Sitewide's
   * `grant_type=client_credentials`) for `audience`: the result is then `kind: 'client'`. Default
   * false: a client's token is refused with `403 client_not_allowed`.
   */
  allowClients?: boolean;
}

/** A signed-in person: what the Express and Hono middleware put on the request (`req.sitewide`, `c.var.sitewide`). */
export interface SitewideUserContext {
  kind: 'user';
  user: SitewideUser;
  session: SitewideSession;
  via: 'cookie' | 'bearer';
  client?: undefined;
}

/** A service client (only with `allowClients: true`): a machine with an access token; no user, no session. */
export interface SitewideClientContext {
  kind: 'client';
  client: SitewideClient;
  via: 'bearer';
  user?: undefined;
  session?: undefined;
}

/** Who called: switch on `kind` (`'client'` only where `allowClients` is on). */
export type SitewideContext = SitewideUserContext | SitewideClientContext;

export type SitewideOk<C extends SitewideContext = SitewideContext> = C & {
  ok: true;
  /** Set-Cookie values to forward on your response (the renewed session cookie after a refresh); usually empty. */
  setCookie: string[];
};

export type SitewideResult<C extends SitewideContext = SitewideContext> = SitewideOk<C> | SitewideFailure;

/** What a verifier built with these options lets through: clients only where `allowClients` may be true. */
export type CallerOf<O extends SitewideVerifierOptions> = O extends { allowClients: true }
  ? SitewideContext
  : O extends { allowClients: false }
    ? SitewideUserContext
    : 'allowClients' extends keyof O
      ? SitewideContext
      : SitewideUserContext;

/** A verifier; `C` is who it lets through (people only, unless built with `allowClients`). */
export interface SitewideVerifier<C extends SitewideContext = SitewideUserContext> {
  /** Never throws for a request: every outcome is a result. */
  verify(input: VerifyInput, options?: { binding?: SitewideBinding }): Promise<SitewideResult<C>>;
}

/** A renewal's answer is reused this long for the same expired token (stragglers, parallel requests). */
const RENEWAL_REUSE_MS = 5_000;
/** Expired tokens whose renewal is pending or reused, at most. */
const RENEWAL_MAX_ENTRIES = 128;

/**
 * Creates a verifier for one Sitewide. It reads `${issuer}/.well-known/sitewide.json` once (the
 * cookie name, the JWKS URI), caches the key set (refetched when a token names an unknown kid), and
 * verifies each request locally; an expired but genuine session token costs one refresh at
 * Sitewide, shared by every request that carries it within a few seconds.
 *
 * @example
 * const sitewide = createSitewideVerifier({ issuer: 'https://api.example.com' });
 * const result = await sitewide.verify(request);
 * if (!result.ok) return Response.json(errorBody(result), { status: result.status });
 */
export function createSitewideVerifier<O extends SitewideVerifierOptions>(options: O): SitewideVerifier<CallerOf<O>> {
  if (typeof options?.issuer !== 'string' || !/^https?:\/\/[^/]/.test(options.issuer)) {
    throw new TypeError('createSitewideVerifier: issuer must be Sitewide’s origin, e.g. https://api.example.com');
  }
  const issuer = trimSlash(options.issuer);
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const loadMetadata = metadataLoader(issuer, fetchImpl, options.fetch);
  const revocations = options.revocations === false ? undefined : revocationSnapshot(fetchImpl);
  // Sitewide's answers are reused; an outage (5xx, or no answer at all) is not.
  const renewals = singleFlight<SitewideRpcResult>({
    ttlMs: RENEWAL_REUSE_MS,
    maxEntries: RENEWAL_MAX_ENTRIES,
    reusable: (answer) => answer.ok || answer.status < 500,
  });

  async function verify(input: VerifyInput, perCall: { binding?: SitewideBinding } = {}): Promise<SitewideResult> {
    try {
      return await verifyOrThrow(input, perCall.binding ?? options.binding);
    } catch (error) {
      if (error instanceof MetadataError && error.misconfigured) {
        return fail(500, 'misconfigured', 'The Sitewide verifier is misconfigured', error.message);
      }
      const cause = error instanceof Error ? error.message : String(error);
      return fail(503, 'service_unavailable', 'Sitewide could not be reached; retry', cause);
    }
  }

  async function verifyOrThrow(input: VerifyInput, binding: SitewideBinding | undefined): Promise<SitewideResult> {
    const { cookie, authorization } = headersOf(input);
    const loaded = await loadMetadata();
    if (authorization && /^bearer\b/i.test(authorization)) return verifyBearer(authorization, loaded);

    const { meta, jwks } = loaded;
    const facts = { issuer, name: meta.session_cookie.name, domain: meta.session_cookie.domain ?? null };
    const picked = sessionCookieToken(cookie, facts);
    if ('failure' in picked) return picked.failure;

    const checked = await checkToken(picked.token, 'cookie', {
      issuer,
      audience: issuer,
      jwks,
      jwksUri: meta.jwks_uri,
    });
    if (checked.ok) {
      if (await revocations?.refuses(meta, checked.payload)) return revoked(loaded);
      return { ok: true, ...userContext(checked.payload, 'cookie'), setCookie: [] };
    }
    if (!checked.expired) return checked.failure;

    // Genuine but expired: one refresh at Sitewide (which checks the session row and re-signs),
    // shared with every other request carrying this token now or within a few seconds.
    const sessionCookie = `${facts.name}=${picked.token}`;
    const renewed = await renewals.run(await tokenKey(picked.token), () =>
      renewAtSitewide(sessionCookie, { issuer, fetch: fetchImpl, binding }),
    );
    if (!renewed.ok) {
      return fail(
        renewed.status || ERROR_STATUS[renewed.code] || 401,
        renewed.code,
        renewed.message,
        `the session token expired and Sitewide refused to renew it (${renewed.code})`,
        [...(renewed.setCookie ?? [])],
      );
    }
    return {
      ok: true,
      kind: 'user',
      user: renewedUser(checked.expired, renewed.user),
      session: renewedSession(checked.expired, renewed.session),
      via: 'cookie',
      setCookie: [...(renewed.setCookie ?? [])],
    };
  }

  async function verifyBearer(authorization: string, loaded: LoadedMetadata): Promise<SitewideResult> {
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
    const { meta, jwks } = loaded;
    const context = { issuer, audience: options.audience, jwks, jwksUri: meta.jwks_uri };
    const checked = await checkToken(token, 'bearer', context);
    if (!checked.ok) return checked.failure;
    const { caller, payload } = checked;
    if (caller.kind === 'client' && !options.allowClients) {
      return fail(
        403,
        'client_not_allowed',
        'This route does not accept service clients',
        `a service client's token (sub "client:…"); pass allowClients: true where machines may call`,
      );
    }
    if (await revocations?.refuses(meta, payload))
      return caller.kind === 'client' ? clientRevoked(loaded) : revoked(loaded);
    if (caller.kind === 'client') {
      return { ok: true, kind: 'client', client: clientFromClaims(caller.id, payload), via: 'bearer', setCookie: [] };
    }
    return { ok: true, ...userContext(payload, 'bearer'), setCookie: [] };
  }

  return { verify } as SitewideVerifier<CallerOf<O>>;
}

function userContext(payload: Parameters<typeof userFromClaims>[0], via: 'cookie' | 'bearer'): SitewideUserContext {
  return { kind: 'user', user: userFromClaims(payload), session: sessionFromClaims(payload), via };
}

function revoked({ meta }: LoadedMetadata): SitewideFailure {
  return fail(
    401,
    'session_revoked',
    'This session was signed out or revoked; sign in again',
    `Sitewide's revocation feed (${meta.revocations_uri}) lists this session or its user`,
  );
}

function clientRevoked({ meta }: LoadedMetadata): SitewideFailure {
  return fail(
    401,
    'session_revoked',
    'This service client was revoked, or its secret rotated: get a new token',
    `Sitewide's revocation feed (${meta.revocations_uri}) lists this client`,
  );
}
