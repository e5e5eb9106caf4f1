/**
 * @sitewide/verify/express: `requireSitewideSession()` sets `req.sitewide = { user, session, via }`,
 * sends a page navigation without a session to Sitewide's sign-in page and back, or answers with
 * Sitewide's own error JSON and status; `optionalSitewideSession()` lets everyone through
 * (`req.sitewide` is `null` when nobody is signed in). Both forward a renewed cookie and mark the
 * response `Cache-Control: private, no-store` and `Vary: Cookie, Authorization`.
 */
import type { NextFunction, Request, Response } from 'express';
import { errorBody, type SitewideFailure } from './errors.ts';
import { type GateOptions, SESSION_CACHE_CONTROL, SESSION_VARY, sessionGate } from './session-gate.ts';
import { createSitewideVerifier, type SitewideContext, type SitewideVerifierOptions } from './verifier.ts';

export * from './index.ts';

declare global {
  namespace Express {
    interface Request {
      /** Set by requireSitewideSession(): the caller, or `null` when `optional` and nobody (valid) is signed in. */
      sitewide?: SitewideContext | null;
      /** With `optional`: why nobody is signed in (e.g. `missing_session`). */
      sitewideFailure?: SitewideFailure;
    }
  }
}

export interface RequireSitewideSessionOptions extends SitewideVerifierOptions, GateOptions {}

/**
 * Protects the routes after it. A page navigation without a session is redirected (302) to
 * `${issuer}/auth/signin?callbackUrl=<this URL>`; other requests get the JSON 401.
 *
 * @example
 * app.get('/api/orders', requireSitewideSession({ issuer }), (req, res) => res.json(req.sitewide?.user));
 * app.get('/admin', requireSitewideSession({ issuer, roles: ['admin'] }), renderAdmin);
 */
export function requireSitewideSession(options: RequireSitewideSessionOptions) {
  const { roles, optional, onMissing, origin, ...verifierOptions } = options;
  const verifier = createSitewideVerifier(verifierOptions);
  const decide = sessionGate(verifierOptions.issuer, { roles, optional, onMissing, origin });

  return async function requireSitewideSessionMiddleware(req: Request, res: Response, next: NextFunction) {
    let result: Awaited<ReturnType<typeof verifier.verify>>;
    try {
      result = await verifier.verify({ cookie: req.get('cookie'), authorization: req.get('authorization') });
    } catch (error) {
      return next(error);
    }
    // Your handler may still set its own Cache-Control; the default keeps shared caches out.
    res.set('Cache-Control', SESSION_CACHE_CONTROL);
    for (const name of SESSION_VARY) res.vary(name);
    for (const value of result.setCookie) res.append('Set-Cookie', value);
    const request = {
      method: req.method,
      accept: req.get('accept'),
      fetchMode: req.get('sec-fetch-mode'),
      url: () => requestUrl(req),
    };
    const decision = decide(result, request, () => req.originalUrl);
    if (decision.kind === 'redirect') {
      res.vary('Accept');
      return res.redirect(302, decision.location);
    }
    if (decision.kind === 'refuse') {
      res.vary('Accept');
      return res.status(decision.failure.status).json(errorBody(decision.failure));
    }
    req.sitewide = decision.sitewide;
    if (decision.failure) req.sitewideFailure = decision.failure;
    return next();
  };
}

/**
 * For pages that work signed in or out: `req.sitewide` is the caller or `null`, never a 401 (an
 * expired cookie is still renewed; Sitewide unreachable is still a 503).
 *
 * @example
 * app.get('/', optionalSitewideSession({ issuer }), (req, res) =>
 *   res.send(req.sitewide ? `Hello ${req.sitewide.user.name}` : `<a href="${signInUrl(issuer, url)}">Sign in</a>`));
 */
export function optionalSitewideSession(options: Omit<RequireSitewideSessionOptions, 'optional' | 'onMissing'>) {
  return requireSitewideSession({ ...options, optional: true });
}

/**
 * The absolute URL the browser asked for. Behind a reverse proxy, Express's `trust proxy` setting
 * decides whether X-Forwarded-Proto and X-Forwarded-Host count (as for `req.protocol` and
 * `req.host`); or pass `origin`.
 */
function requestUrl(req: Request): string {
  const trust = req.app.get('trust proxy fn') as ((address: string | undefined, hop: number) => boolean) | undefined;
  const forwarded = req.get('x-forwarded-host');
  const trusted = forwarded && typeof trust === 'function' && trust(req.socket.remoteAddress, 0);
  const host = trusted ? (forwarded.split(',')[0] ?? '').trim() : req.get('host');
  return `${req.protocol}://${host}${req.originalUrl}`;
}
