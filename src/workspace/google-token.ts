import { SignJWT } from 'jose';
import type { WorkspaceLink } from './settings';

/** Read-only scopes, granted to the service account's client id under domain-wide delegation (docs/workspace.md). */
export const USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
export const GROUP_MEMBER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.group.member.readonly';

/** The scopes the link asks for: users always, group membership only with GROUP_ROLES. */
export function scopesOf(link: WorkspaceLink): string[] {
  return link.groupRoles.size > 0 ? [USER_SCOPE, GROUP_MEMBER_SCOPE] : [USER_SCOPE];
}

/**
 * A failed call to Google: `status` 0 when no answer came (network, timeout),
 * `code` Google's own (`unauthorized_client`, `PERMISSION_DENIED`, `notFound`)
 * or ours (`malformed`, `timeout`, `unreachable`).
 */
export class GoogleApiError extends Error {
  override name = 'GoogleApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What calls to Google need besides the link: fetch, the clock and a timeout (tests make them short). */
export interface GoogleDeps {
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
}

export const defaultGoogleDeps = (timeoutMs: number): GoogleDeps => ({
  fetch: (input, init) => fetch(input, init),
  now: () => Date.now(),
  timeoutMs,
});

/** fetch with a timeout; a network failure or timeout becomes a GoogleApiError with status 0. */
export async function fetchGoogle(deps: GoogleDeps, url: string, init: RequestInit): Promise<Response> {
  try {
    return await deps.fetch(url, { ...init, signal: AbortSignal.timeout(deps.timeoutMs) });
  } catch (cause) {
    const timeout = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    throw new GoogleApiError(
      0,
      timeout ? 'timeout' : 'unreachable',
      timeout
        ? `${new URL(url).host} did not answer within ${deps.timeoutMs} ms`
        : `${new URL(url).host} is unreachable: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

/** A token is reused until this long before Google says it expires. */
const EARLY_MS = 60_000;
const tokens = new Map<string, { token: Promise<string>; until: number }>();
const keys = new Map<string, Promise<CryptoKey>>();

/**
 * An access token for the link's scopes, as the admin subject: a JWT-bearer
 * assertion (RFC 7523) signed RS256 with the service account's key, exchanged
 * at Google's token endpoint, and cached per isolate until a minute before it
 * expires (Google's last an hour). Throws GoogleApiError; the OAuth error code
 * (`unauthorized_client`: a scope is missing from domain-wide delegation;
 * `invalid_grant`: the subject or the key) is its `code`.
 */
export function accessToken(link: WorkspaceLink, deps: GoogleDeps, scopes = scopesOf(link)): Promise<string> {
  const key = cacheKeyOf(link, scopes);
  const cached = tokens.get(key);
  if (cached && cached.until > deps.now()) return cached.token;
  // One request at a time per key: concurrent callers share it; a failure is not cached.
  const token = requestToken(link, deps, scopes).then(({ token, expiresIn }) => {
    tokens.set(key, { token: Promise.resolve(token), until: deps.now() + expiresIn * 1000 - EARLY_MS });
    return token;
  });
  tokens.set(key, { token, until: Number.POSITIVE_INFINITY });
  token.catch(() => tokens.delete(key));
  return token;
}

/** The key file's PKCS#8 PEM as an RS256 signing key (Web Crypto directly: jose's PEM import costs 2 KiB of bundle). */
async function importRsaKey(pem: string): Promise<CryptoKey> {
  const base64 = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----|\s/g, '');
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    throw new GoogleApiError(0, 'invalid_key', 'the private_key of GOOGLE_SERVICE_ACCOUNT is not base64 PEM');
  }
  try {
    return await crypto.subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign']);
  } catch (cause) {
    throw new GoogleApiError(
      0,
      'invalid_key',
      `the private_key of GOOGLE_SERVICE_ACCOUNT is not an RSA key: ${String(cause)}`,
    );
  }
}

const cacheKeyOf = (link: WorkspaceLink, scopes: string[]) =>
  JSON.stringify([link.tokenUrl, link.serviceAccount.clientEmail, link.serviceAccount.keyId, link.admin, scopes]);

async function requestToken(link: WorkspaceLink, deps: GoogleDeps, scopes: string[]) {
  const { clientEmail, privateKey, keyId } = link.serviceAccount;
  let key = keys.get(privateKey);
  if (!key) {
    key = importRsaKey(privateKey);
    keys.set(privateKey, key);
    key.catch(() => keys.delete(privateKey));
  }
  const iat = Math.floor(deps.now() / 1000);
  const assertion = await new SignJWT({ scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(keyId ? { kid: keyId } : {}) })
    .setIssuer(clientEmail)
    .setSubject(link.admin)
    .setAudience(link.tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3600)
    .sign(await key);
  const res = await fetchGoogle(deps, link.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
  });
  const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok) {
    const code = typeof body?.error === 'string' ? body.error : `http_${res.status}`;
    const description = typeof body?.error_description === 'string' ? body.error_description : res.statusText;
    throw new GoogleApiError(res.status, code, `the token endpoint refused: ${code}: ${description}`);
  }
  const token = body?.access_token;
  const expiresIn = body?.expires_in;
  if (typeof token !== 'string' || !token || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
    throw new GoogleApiError(res.status, 'malformed', 'the token endpoint answered without access_token/expires_in');
  }
  return { token, expiresIn };
}

/** Forgets a cached token (Google refused it: revoked delegation, rotated key). */
export function forgetAccessToken(link: WorkspaceLink, scopes = scopesOf(link)): void {
  tokens.delete(cacheKeyOf(link, scopes));
}
