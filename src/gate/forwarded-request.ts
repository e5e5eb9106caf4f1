import { withoutSessionCookie } from '../session/cookie';
import type { SessionClaims } from '../session/token';
import type { RequestTarget } from './dispatch';
import { appendIdentityHeaders, SPOOFABLE_HEADER } from './identity-headers';
import type { Gate } from './settings';

/** Who the request is forwarded for: nobody (a public path), or the caller and their signed assertion. */
export type ForwardedIdentity = { claims: SessionClaims; assertion: string } | undefined;

/**
 * The request the origin gets: the same method, path, query and body (the
 * stream itself, never buffered), to the gate's `origin` when it has one; the
 * client's identity headers (SPOOFABLE_HEADER), its `X-Forwarded-Host` and the
 * session cookie removed; the gate's own identity headers added (for a caller);
 * `X-Forwarded-Host` the gated host. Redirects of the origin go back to the
 * browser as they are (`manual`, as an incoming request already is).
 *
 * Built for workerd, where each Headers call crosses into the runtime: the new
 * Request copies the incoming one whole (headers and body in one step, as a
 * pass-through Worker does), then one pass over the header names finds what to
 * strip (deletes only when a client sent something), and ours are appended.
 * `cookie` is the request's Cookie header, already read for the session.
 */
export function forwardedRequest(
  request: Request,
  target: RequestTarget,
  gate: Gate,
  cookie: string | null,
  cookieName: string,
  identity: ForwardedIdentity,
): Request {
  const url = gate.upstream ? `${gate.upstream}${target.pathAndQuery}` : request.url;
  const forwarded =
    request.redirect === 'manual'
      ? new Request(url, request)
      : new Request(url, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual' });
  const headers = forwarded.headers;
  const strip: string[] = [];
  for (const name of headers.keys()) if (name === 'x-forwarded-host' || SPOOFABLE_HEADER.test(name)) strip.push(name);
  for (const name of strip) headers.delete(name);
  if (cookie !== null) {
    const kept = withoutSessionCookie(cookie, cookieName);
    if (kept === undefined) headers.delete('cookie');
    else if (kept !== cookie) headers.set('cookie', kept);
  }
  headers.append('X-Forwarded-Host', target.host);
  if (identity) appendIdentityHeaders(headers, gate.headers, identity.claims, identity.assertion);
  return forwarded;
}
