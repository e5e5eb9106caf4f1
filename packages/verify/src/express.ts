/**
 * @sitewide/verify/express: `requireSitewideSession()` sets `req.sitewide = { user, session }` or
 * answers with Sitewide's own error JSON and status.
 */
import type { NextFunction, Request, Response } from 'express';
import {
  accessDenied,
  createSitewideVerifier,
  errorBody,
  hasAnyRole,
  type SitewideContext,
  type SitewideFailure,
  type SitewideVerifierOptions,
} from './index.ts';

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

export interface RequireSitewideSessionOptions extends SitewideVerifierOptions {
  /** The caller must hold at least one of these roles, else `403 access_denied`. */
  roles?: string[];
  /** Let callers without a (valid) session through with `req.sitewide = null`. */
  optional?: boolean;
}

export function requireSitewideSession(options: RequireSitewideSessionOptions) {
  const verifier = createSitewideVerifier(options);
  const answer = (res: Response, failure: SitewideFailure) =>
    res.status(failure.status).set('Cache-Control', 'no-store').json(errorBody(failure));

  return async function requireSitewideSessionMiddleware(req: Request, res: Response, next: NextFunction) {
    let result: Awaited<ReturnType<typeof verifier.verify>>;
    try {
      result = await verifier.verify({ cookie: req.get('cookie'), authorization: req.get('authorization') });
    } catch (error) {
      return next(error);
    }
    for (const value of result.setCookie) res.append('Set-Cookie', value);
    if (!result.ok) {
      // Optional: a refused or absent session is "nobody"; Sitewide being down is still an error.
      if (options.optional && result.status < 500) {
        req.sitewide = null;
        req.sitewideFailure = result;
        return next();
      }
      return answer(res, result);
    }
    if (!hasAnyRole(result.user, options.roles)) return answer(res, accessDenied(options.roles ?? []));
    req.sitewide = { user: result.user, session: result.session, via: result.via };
    return next();
  };
}
