/**
 * Verify Sitewide tokens in another backend (Express here; the same jose calls
 * work in any Node, Bun, Deno or edge runtime). No shared secret: only the
 * public keys from Sitewide's JWKS.
 *
 * Accepts either
 *  - the parent-domain session cookie a browser sends to your sibling subdomain
 *    (typ `sitewide-session+jwt`, aud = Sitewide's own origin), or
 *  - `Authorization: Bearer <access token>` minted by `POST /auth/token` for
 *    your audience (typ `at+jwt`, aud = your audience).
 */
import type { NextFunction, Request, Response } from 'express';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';

export interface SitewideVerifierOptions {
  /** Sitewide's origin, e.g. https://api.example.com (the `iss` of its tokens). */
  issuer: string;
  /** This backend's audience, as listed in Sitewide's TOKEN_AUDIENCES (for Bearer tokens). */
  audience: string;
  /** The session cookie's name: `__Secure-sitewide.session` on https. */
  cookieName?: string;
}

export interface SitewideUser {
  /** Sitewide's user id. */
  id: string;
  sessionId: string;
  via: 'cookie' | 'bearer';
}

declare module 'express-serve-static-core' {
  interface Request {
    sitewideUser?: SitewideUser;
  }
}

function readCookie(header: string | undefined, name: string): string[] {
  return (header ?? '')
    .split(';')
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
}

/** Express middleware: sets `req.sitewideUser` or answers 401 with Sitewide's error shape. */
export function requireSitewideUser(options: SitewideVerifierOptions) {
  const cookieName = options.cookieName ?? '__Secure-sitewide.session';
  // Fetched once, cached, and refetched when a token names an unknown kid (key rotation).
  const jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', options.issuer));
  const fail = (res: Response, code: string, message: string) =>
    res.status(401).set('Cache-Control', 'no-store').json({ error: { code, message } });

  return async function requireSitewideUserMiddleware(req: Request, res: Response, next: NextFunction) {
    const bearer = /^Bearer +(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const cookies = readCookie(req.get('cookie'), cookieName);
    if (!bearer && cookies.length === 0) return fail(res, 'missing_session', 'Sign in with Sitewide first');
    if (!bearer && cookies.length > 1) return fail(res, 'invalid_session', 'The session cookie was sent twice');
    const token = bearer ?? (cookies[0] as string);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        // Pin everything: the algorithm, the token type, and whom it was issued for.
        algorithms: ['ES256'],
        typ: bearer ? 'at+jwt' : 'sitewide-session+jwt',
        audience: bearer ? options.audience : options.issuer,
        requiredClaims: ['sub', 'sid', 'exp', 'iat'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        // A browser refreshes its cookie by calling Sitewide (e.g. GET /api/me with credentials), then retries.
        return fail(res, 'session_expired', `Token expired; refresh it at ${options.issuer}/api/me and retry`);
      }
      if (error instanceof errors.JOSEError) return fail(res, 'invalid_session', 'The token is not valid');
      return next(error);
    }
    req.sitewideUser = { id: String(payload.sub), sessionId: String(payload.sid), via: bearer ? 'bearer' : 'cookie' };
    return next();
  };
}
