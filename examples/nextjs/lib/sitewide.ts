/**
 * One verifier per runtime (the edge middleware and the Node route handlers each build their own):
 * it reads SITEWIDE_ISSUER's /.well-known/sitewide.json once and caches Sitewide's public keys.
 */
import { createSitewideVerifier, type SitewideVerifier } from '@sitewide/verify';

let verifier: SitewideVerifier | undefined;

/** Sitewide's origin, e.g. https://api.example.com (its tokens' `iss`); read at run time. */
export function sitewideIssuer(): string {
  const issuer = process.env.SITEWIDE_ISSUER;
  if (!issuer) throw new Error('Set SITEWIDE_ISSUER to Sitewide’s origin, e.g. https://api.example.com');
  return issuer;
}

export function sitewide(): SitewideVerifier {
  verifier ??= createSitewideVerifier({
    issuer: sitewideIssuer(),
    // This app's audience in Sitewide's TOKEN_AUDIENCES, to accept Bearer access tokens too (optional).
    ...(process.env.SITEWIDE_AUDIENCE ? { audience: process.env.SITEWIDE_AUDIENCE } : {}),
  });
  return verifier;
}

/**
 * The Cookie header with each cookie a Set-Cookie renews replaced by its new value: the middleware
 * hands it on, so the page and route handlers behind it verify the renewed token locally (no second
 * refresh at Sitewide).
 */
export function withRenewedCookies(cookieHeader: string | null, setCookie: string[]): string {
  const renewed = new Map<string, string>();
  for (const line of setCookie) {
    const pair = line.split(';', 1)[0] ?? '';
    const eq = pair.indexOf('=');
    if (eq > 0) renewed.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
  const pairs = (cookieHeader ?? '')
    .split(';')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const name = part.split('=', 1)[0]?.trim() ?? '';
      return renewed.has(name) ? `${name}=${renewed.get(name)}` : part;
    });
  return pairs.join('; ');
}
