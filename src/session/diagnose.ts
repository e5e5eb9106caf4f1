import { decodeProtectedHeader } from 'jose';
import type { Config } from '../config';
import { readSessionCookie } from './cookie';
import type { SigningKeys } from './keys';
import { ACCESS_TOKEN_TYP, SESSION_TOKEN_TYP, type TokenTyp, verifyToken } from './token';

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

/** jose's failure codes, in words a person can act on. */
function explain(reason: string, kid: string | undefined): string {
  const [code = '', ...rest] = reason.split(': ');
  const detail = rest.join(': ');
  switch (code) {
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return `signed by an unknown key (kid '${kid ?? '?'}'): the key was retired, or the token comes from another deployment`;
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the signature does not match: the token was altered, or signed by another key under the same kid';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'signed with an algorithm other than ES256';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `issued for another service or of another type (${detail})`;
    default:
      return `malformed (${detail || reason})`;
  }
}

async function inspect(token: string, typ: TokenTyp, audience: string, config: Config, keys: SigningKeys, now: Date) {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    kid = undefined;
  }
  const result = await verifyToken(typ, token, keys, { issuer: config.apiOrigin, audience, now });
  const base = kid ? { kid } : {};
  if (result.ok) {
    return {
      status: 'valid',
      reason: 'genuine and fresh',
      ...base,
      expiresAt: new Date(result.claims.exp * 1000).toISOString(),
    } as const;
  }
  if (result.expiredClaims) {
    return {
      status: 'expired',
      reason: 'genuine but past its exp: the next API call refreshes it if the session is still live',
      ...base,
      expiresAt: new Date(result.expiredClaims.exp * 1000).toISOString(),
    } as const;
  }
  return { status: 'invalid', reason: explain(result.reason, kid), ...base } as const;
}

/**
 * Why a request is or is not authenticated, for a person debugging a browser:
 * the cookie names that arrived (never values), whether the session cookie was
 * present, chunked, duplicated, oversized, expired or signed by an unknown key,
 * and whether the Origin may make credentialed calls. No D1 access.
 */
export async function diagnoseRequest(
  input: { cookieHeader: string | undefined; authorization: string | undefined; origin: string | undefined },
  config: Config,
  keys: SigningKeys,
  now = new Date(),
): Promise<DiagnoseReport> {
  const name = config.sessionCookieName;
  const received = (input.cookieHeader ?? '')
    .split(';')
    .map((pair) => pair.split('=')[0]?.trim() ?? '')
    .filter(Boolean);
  const count = received.filter((n) => n === name).length;
  const chunked = received.some((n) => n.startsWith(`${name}.`) && /^\d+$/.test(n.slice(name.length + 1)));
  const read = readSessionCookie(input.cookieHeader, name);
  const oversized = read.kind === 'rejected' && read.reason.includes('oversized');
  const sessionToken =
    read.kind === 'present'
      ? await inspect(read.value, SESSION_TOKEN_TYP, config.apiOrigin, config, keys, now)
      : undefined;

  const bearerToken = /^bearer +(\S+)$/i.exec(input.authorization ?? '')?.[1];
  const bearer = bearerToken
    ? await inspect(bearerToken, ACCESS_TOKEN_TYP, config.apiOrigin, config, keys, now)
    : undefined;

  const origin = input.origin ?? null;
  const originAllowed = origin === null ? null : origin === config.apiOrigin || config.allowedOrigins.has(origin);

  const authenticated = bearer
    ? bearer.status === 'valid'
    : sessionToken?.status === 'valid' || sessionToken?.status === 'expired';
  let verdict: string;
  if (bearer) verdict = `Authenticated by the Bearer token: ${bearer.status} (${bearer.reason}).`;
  else if (count > 1)
    verdict = `The ${name} cookie arrived ${count} times (a host-only leftover, or one set by a sibling subdomain): requests are refused until one is cleared; sign out and in again.`;
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
