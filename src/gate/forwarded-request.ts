import { isChunkOf } from '../session/cookie';
import type { SessionClaims } from '../session/token';
import { setIdentityHeaders, stripIdentityHeaders } from './identity-headers';
import type { Gate } from './settings';

/**
 * The `Cookie` header without the session cookie: every pair named exactly
 * `name` or a chunk of it (`name.0`…) is dropped, the others kept as sent.
 * Undefined when nothing is left. The origin never sees the session token.
 */
export function withoutSessionCookie(header: string, name: string): string | undefined {
  if (!header.includes(name)) return header;
  const kept: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    const pairName = (eq === -1 ? pair : pair.slice(0, eq)).trim();
    if (pairName !== name && !isChunkOf(pairName, name)) kept.push(pair.trim());
  }
  const joined = kept.filter(Boolean).join('; ');
  return joined === '' ? undefined : joined;
}

/** Who the request is forwarded for: nobody (a public path), or the caller and their signed assertion. */
export type ForwardedIdentity = { claims: SessionClaims; assertion: string } | undefined;

/**
 * The request the origin gets: the same method, path, query and body (the
 * stream itself, never buffered), to the gate's `origin` when it has one; the
 * client's identity headers and the session cookie removed; the gate's own
 * identity headers set (for a caller); `X-Forwarded-Host` the gated host.
 * Redirects of the origin go back to the browser as they are (`manual`).
 */
export function forwardedRequest(
  request: Request,
  url: URL,
  gate: Gate,
  cookieName: string,
  identity: ForwardedIdentity,
): Request {
  const headers = new Headers(request.headers);
  stripIdentityHeaders(headers);
  const cookie = headers.get('cookie');
  if (cookie !== null) {
    const kept = withoutSessionCookie(cookie, cookieName);
    if (kept === undefined) headers.delete('cookie');
    else if (kept !== cookie) headers.set('cookie', kept);
  }
  headers.set('X-Forwarded-Host', url.host);
  if (identity) setIdentityHeaders(headers, gate.headers, identity.claims, identity.assertion);
  const target = gate.upstream ? `${gate.upstream}${url.pathname}${url.search}` : request.url;
  return new Request(target, { method: request.method, headers, body: request.body, redirect: 'manual' });
}
