/** How long an OIDC discovery document is reused inside one isolate. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;

const cache = new Map<string, { body: string; contentType: string; storedAt: number }>();

/**
 * A fetch for the OIDC provider that keeps the discovery document per isolate:
 * Auth.js fetches it at sign-in and again at the callback otherwise (two
 * round trips to Google per sign-in). Only successful answers are kept.
 */
export async function fetchWithDiscoveryCache(
  input: string | URL | Request,
  init?: RequestInit,
  now: () => number = Date.now,
): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  if (!url.endsWith('/.well-known/openid-configuration')) return fetch(input, init);
  const hit = cache.get(url);
  if (hit && now() - hit.storedAt < DISCOVERY_TTL_MS) {
    return new Response(hit.body, { status: 200, headers: { 'content-type': hit.contentType } });
  }
  const res = await fetch(input, init);
  if (res.status !== 200) return res;
  const body = await res.text();
  const contentType = res.headers.get('content-type') ?? 'application/json';
  cache.set(url, { body, contentType, storedAt: now() });
  return new Response(body, { status: 200, headers: { 'content-type': contentType } });
}
