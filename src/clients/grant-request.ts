/**
 * Reads a client-credentials request (RFC 6749 §4.4.2): a form-encoded body, and the client's
 * credentials by exactly one method, `client_secret_basic` (RFC 6749 §2.3.1: the form-encoded id
 * and secret as the Basic user and password) or `client_secret_post` (both in the body). Pure:
 * headers and body text in, the request or its OAuth error out.
 */
import type { ClientCredentials } from './authenticate';
import type { OAuthFailure } from './oauth-error';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ClientGrantRequest {
  credentials: ClientCredentials;
  method: ClientAuthMethod;
  /** `audience`, or RFC 8707 `resource`; undefined when neither was sent. */
  audience: string | undefined;
}

export type ParsedGrant = { ok: true; grant: ClientGrantRequest } | { ok: false; failure: OAuthFailure };

/** Bodies longer than this are refused unread: a grant request is a few hundred bytes. */
export const MAX_GRANT_BODY = 4096;

const MAX_AUTHORIZATION = 1024;

/** A POST whose body is `application/x-www-form-urlencoded`: an OAuth token request (the cookie flow sends JSON). */
export function isFormRequest(request: Request): boolean {
  const type = request.headers.get('content-type') ?? '';
  return request.method === 'POST' && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
}

const refuse = (error: OAuthFailure['error'], description: string): ParsedGrant => ({
  ok: false,
  failure: { error, description },
});

/** A form-encoded value (RFC 6749 Appendix B): `+` is a space; undefined when its escapes are broken. */
function formDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** `Basic base64(urlencode(id):urlencode(secret))`, decoded; undefined when malformed. */
export function decodeBasic(authorization: string): ClientCredentials | undefined {
  const encoded = /^basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization)?.[1];
  if (!encoded) return undefined;
  let text: string;
  try {
    const binary = atob(encoded);
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  const id = formDecode(text.slice(0, colon));
  const secret = formDecode(text.slice(colon + 1));
  return id && secret ? { id, secret } : undefined;
}

/**
 * The request, or its error: `unsupported_grant_type` (another grant), `invalid_request` (a
 * parameter missing or repeated, or both authentication methods at once), `invalid_client` (no
 * client authentication, a malformed or non-Basic Authorization header), `invalid_scope` (a scope:
 * tokens carry the client's roles, not scopes), `invalid_target` (more than one audience).
 * Unknown parameters are ignored (RFC 6749 §3.2).
 */
export function parseGrantRequest(body: string, authorization: string | null): ParsedGrant {
  const params = new URLSearchParams(body);
  const counts = new Map<string, number>();
  for (const key of params.keys()) counts.set(key, (counts.get(key) ?? 0) + 1);
  const single = (name: string) => params.get(name) ?? undefined;

  const grantType = single('grant_type');
  if (!grantType) return refuse('invalid_request', 'grant_type=client_credentials is missing');
  if (grantType !== 'client_credentials') {
    return refuse('unsupported_grant_type', 'Only grant_type=client_credentials is served');
  }
  if ((counts.get('audience') ?? 0) + (counts.get('resource') ?? 0) > 1) {
    return refuse('invalid_target', 'One audience per token');
  }
  for (const [name, count] of counts) {
    if (count > 1) return refuse('invalid_request', `${name} is repeated`);
  }
  if (single('scope')?.trim()) {
    return refuse('invalid_scope', 'No scopes here: a token carries the client roles');
  }
  const audience = single('audience') ?? single('resource');

  const bodyId = single('client_id');
  const bodySecret = single('client_secret');
  if (authorization !== null) {
    if (authorization.length > MAX_AUTHORIZATION || !/^basic\b/i.test(authorization)) {
      return refuse('invalid_client', 'Use HTTP Basic, or client_id and client_secret in the body');
    }
    if (bodySecret !== undefined) {
      return refuse('invalid_request', 'Basic and client_secret at once');
    }
    const credentials = decodeBasic(authorization);
    if (!credentials) {
      return refuse('invalid_client', 'Malformed Basic credentials');
    }
    if (bodyId !== undefined && bodyId !== credentials.id) {
      return refuse('invalid_request', 'client_id differs from Basic');
    }
    return { ok: true, grant: { credentials, method: 'client_secret_basic', audience } };
  }
  if (!bodyId || !bodySecret) {
    return refuse('invalid_client', 'No client authentication');
  }
  return {
    ok: true,
    grant: { credentials: { id: bodyId, secret: bodySecret }, method: 'client_secret_post', audience },
  };
}
