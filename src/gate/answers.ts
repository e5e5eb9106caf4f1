import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type ErrorCode, errorResponse } from '../errors';
import { setSecurityHeaders } from '../middleware/security-headers';
import { pageCsp } from '../pages/page-response';

/**
 * The gate's own answers (never the origin's): the JSON error shape, a page, a
 * redirect; each with the security headers and `Cache-Control: no-store` every
 * response of the API carries, and `Vary: Cookie` where the answer depends on it.
 */

/**
 * A browser loading a page: a GET or HEAD that asks for HTML, or that the
 * browser itself marks as a navigation (`Sec-Fetch-Mode: navigate`). Anything
 * else (fetch, XHR, an image, a form POST, curl) is answered in JSON.
 */
export function isNavigation(request: Request): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  return (
    request.headers.get('sec-fetch-mode') === 'navigate' || (request.headers.get('accept') ?? '').includes('text/html')
  );
}

function finish(res: Response): Response {
  setSecurityHeaders(res.headers);
  res.headers.set('Cache-Control', 'no-store');
  res.headers.append('Vary', 'Cookie');
  return res;
}

/** `{"error":{"code","message"}}` with `status`, and any Set-Cookie clears. */
export function gateError(
  status: ContentfulStatusCode,
  code: ErrorCode,
  message: string,
  more: { clears?: readonly string[]; headers?: Record<string, string> } = {},
): Response {
  const res = errorResponse(status, code, message, more.headers);
  for (const clear of more.clears ?? []) res.headers.append('Set-Cookie', clear);
  return finish(res);
}

/** A `302` to `location` (our own redirects: sign-in, sign-out), with any Set-Cookie headers. */
export function gateRedirect(location: string, setCookies: readonly string[] = []): Response {
  const res = new Response(null, { status: 302, headers: { Location: location } });
  for (const cookie of setCookies) res.headers.append('Set-Cookie', cookie);
  return finish(res);
}

/** A page of ours (src/pages: the one template and its strict CSP). */
export async function gatePage(html: string, status: ContentfulStatusCode): Promise<Response> {
  const res = new Response(html, {
    status,
    headers: { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Security-Policy': await pageCsp() },
  });
  return finish(res);
}

/** JSON of ours that is not an error (`/_sitewide/me`): private, never cached. */
export function gateJson(body: unknown, setCookies: readonly string[] = []): Response {
  const res = Response.json(body);
  for (const cookie of setCookies) res.headers.append('Set-Cookie', cookie);
  finish(res);
  res.headers.set('Cache-Control', 'private, no-store');
  return res;
}
