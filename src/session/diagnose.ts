import { decodeProtectedHeader } from 'jose';
import type { Config } from '../config/config';
import { escapeControls } from '../untrusted-text';
import { cookiePairs, isChunkOf, readSessionCookie, sessionCookieCopies } from './cookie';
import type { SigningKeys } from './keys';
import { ACCESS_TOKEN_TYP, SESSION_TOKEN_TYP, type TokenTyp, type VerifyFailure, verifyToken } from './token';

export interface TokenReport {
  status: 'valid' | 'expired' | 'invalid';
  /** Why, in words; never the token itself. */
  reason: string;
  kid?: string;
  expiresAt?: string;
}

export interface DiagnoseReport {
  authenticated: boolean;
  verdict: string;
  request: { origin: string | null; originAllowed: boolean | null };
  cookies: { received: string[] };
  sessionCookie: {
    name: string;
    domain: string | null;
    present: boolean;
    count: number;
    chunked: boolean;
    oversized: boolean;
    token?: TokenReport;
  };
  bearer: { present: boolean; token?: TokenReport };
  config: { apiOrigin: string; cookieName: string; cookieDomain: string | null; allowedOrigins: string[] };
}

/** A token's refusal, in words a person can act on. */
function explain(failure: VerifyFailure, kid: string | undefined): string {
  switch (failure.reason) {
    case 'unknown_key':
      return `signed by an unknown key (kid '${kid ?? '?'}'): the key was retired, or the token comes from another deployment`;
    case 'bad_signature':
      return 'the signature does not match: the token was altered, or signed by another key under the same kid';
    case 'alg_not_allowed':
      return 'signed with an algorithm other than ES256';
    case 'claim_mismatch':
      return `issued for another service or of another type (${failure.claim ?? 'claim'}: ${failure.detail})`;
    case 'lifetime_exceeded':
      return 'it lives longer than this deployment ever signs a token for (exp - iat exceeds the TTL)';
    case 'issued_in_future':
      return 'its iat lies in the future';
    case 'expired':
      return 'genuine but past its exp';
    case 'malformed':
      return `malformed (${failure.detail})`;
  }
}

/** A NumericDate as ISO 8601, or undefined when no Date can hold it (e.g. 1e308). */
function isoDate(seconds: number): string | undefined {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

async function inspect(
  token: string,
  typ: TokenTyp,
  ctx: { audience: string; maxLifetime: number },
  config: Config,
  keys: SigningKeys,
  now: Date,
) {
  let kid: string | undefined;
  try {
    // The client's own header: shown, never trusted (and never with its control characters).
    const raw = decodeProtectedHeader(token).kid;
    kid = typeof raw === 'string' ? escapeControls(raw, 100) : undefined;
  } catch {
    kid = undefined;
  }
  const result = await verifyToken(typ, token, keys, { issuer: config.apiOrigin, now, ...ctx });
  const base = typeof kid === 'string' ? { kid } : {};
  const claims = result.ok ? result.claims : result.expiredClaims;
  const expiresAt = claims ? isoDate(claims.exp) : undefined;
  const dated = { ...base, ...(expiresAt ? { expiresAt } : {}) };
  if (result.ok) return { status: 'valid', reason: 'genuine and fresh', ...dated } as const;
  if (result.expiredClaims) {
    return {
      status: 'expired',
      reason: 'genuine but past its exp: the next API call refreshes it if the session is still live',
      ...dated,
    } as const;
  }
  return { status: 'invalid', reason: escapeControls(explain(result, kid), 300), ...base } as const;
}

/**
 * Why a request is or is not authenticated, for a person debugging a browser:
 * the cookie names that arrived (never values), whether the session cookie was
 * present, chunked, duplicated, oversized, expired or signed by an unknown key,
 * and whether the Origin may make credentialed calls. No D1 access. What the
 * request sent (cookie names, the Origin, a token's kid) is echoed escaped.
 */
export async function diagnoseRequest(
  input: { cookieHeader: string | undefined; authorization: string | undefined; origin: string | undefined },
  config: Config,
  keys: SigningKeys,
  now = new Date(),
): Promise<DiagnoseReport> {
  const name = config.sessionCookieName;
  // What the client sent is echoed only escaped (src/untrusted-text.ts) and cut.
  const received = cookiePairs(input.cookieHeader).map(([n]) => escapeControls(n, 100));
  const copies = sessionCookieCopies(input.cookieHeader, name);
  const count = copies.filter(([n]) => n === name).length;
  const chunked = copies.some(([n]) => isChunkOf(n, name));
  const read = readSessionCookie(input.cookieHeader, name);
  const oversized = read.kind === 'rejected' && read.reason === 'oversized';
  const sessionToken =
    read.kind === 'present'
      ? await inspect(
          read.value,
          SESSION_TOKEN_TYP,
          { audience: config.apiOrigin, maxLifetime: config.sessionTokenTtl },
          config,
          keys,
          now,
        )
      : undefined;

  const bearerToken = /^bearer +(\S+)$/i.exec(input.authorization ?? '')?.[1];
  const bearer = bearerToken
    ? await inspect(
        bearerToken,
        ACCESS_TOKEN_TYP,
        { audience: config.apiOrigin, maxLifetime: config.accessTokenTtl },
        config,
        keys,
        now,
      )
    : undefined;

  const sentOrigin = input.origin ?? null;
  const originAllowed =
    sentOrigin === null ? null : sentOrigin === config.apiOrigin || config.allowedOrigins.has(sentOrigin);
  const origin = sentOrigin === null ? null : escapeControls(sentOrigin, 200);

  const authenticated = bearer
    ? bearer.status === 'valid'
    : sessionToken?.status === 'valid' || sessionToken?.status === 'expired';
  let verdict: string;
  if (bearer) verdict = `Authenticated by the Bearer token: ${bearer.status} (${bearer.reason}).`;
  else if (count > 1)
    verdict = `The ${name} cookie arrived ${count} times (a host-only leftover, or one set by a sibling subdomain): nothing is picked between them; the next API request answers 401 invalid_session and deletes the copies Sitewide did not set, and the one after it works. If it keeps coming back, a host under ${config.cookieDomain ?? 'this domain'} is setting it.`;
  else if (chunked)
    verdict = `The ${name} cookie arrived in chunks: Sitewide's token is small and never chunked, so these come from another setup; clear them.`;
  else if (oversized) verdict = `The ${name} cookie is oversized and ignored.`;
  else if (!sessionToken)
    verdict = `No ${name} cookie arrived. Sign in at ${config.apiOrigin}/auth/signin${config.cookieDomain ? `; the cookie is set for Domain=${config.cookieDomain}, so this page must be on that domain` : ''}.`;
  else if (sessionToken.status === 'invalid')
    verdict = `The session cookie is not accepted: ${sessionToken.reason}. Sign in again.`;
  else verdict = `The session cookie is ${sessionToken.status === 'valid' ? 'valid' : 'expired but renewable'}.`;
  if (originAllowed === false)
    verdict += ` Requests from ${origin} are not allowed: it is not in ALLOWED_ORIGINS, so the browser hides responses from it and its writes are refused (csrf_rejected).`;

  return {
    authenticated,
    verdict,
    request: { origin, originAllowed },
    cookies: { received },
    sessionCookie: {
      name,
      domain: config.cookieDomain ?? null,
      present: count > 0,
      count,
      chunked,
      oversized,
      ...(sessionToken ? { token: sessionToken } : {}),
    },
    bearer: { present: bearerToken !== undefined, ...(bearer ? { token: bearer } : {}) },
    config: {
      apiOrigin: config.apiOrigin,
      cookieName: name,
      cookieDomain: config.cookieDomain ?? null,
      allowedOrigins: [...config.allowedOrigins],
    },
  };
}
