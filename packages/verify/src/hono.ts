/**
 * @sitewide/verify/hono: `sitewideSession()` sets `c.var.sitewide = { user, session }` or answers
 * with Sitewide's own error JSON and status.
 */
import type { Context, MiddlewareHandler } from 'hono';
import {
  accessDenied,
  createSitewideVerifier,
  errorBody,
  hasAnyRole,
  type SitewideBinding,
  type SitewideContext,
  type SitewideFailure,
  type SitewideVerifierOptions,
} from './index.ts';

export * from './index.ts';

/** Add to your app's Variables: `new Hono<{ Variables: SitewideVariables }>()`. */
export type SitewideVariables = {
  /** The caller, or `null` when `optional` and nobody (valid) is signed in. */
  sitewide: SitewideContext | null;
  /** With `optional`: why nobody is signed in. */
  sitewideFailure?: SitewideFailure;
};

/** Any Hono env whose Variables include SitewideVariables (your Bindings too). */
export type SitewideEnv = { Variables: SitewideVariables };

export interface SitewideSessionOptions<E extends SitewideEnv = SitewideEnv>
  extends Omit<SitewideVerifierOptions, 'binding'> {
  /** A service binding to Sitewide's `SitewideRpc`, or how to find it per request: `(c) => c.env.SITEWIDE`. */
  binding?: SitewideBinding | ((c: Context<E>) => SitewideBinding | undefined);
  /** The caller must hold at least one of these roles, else `403 access_denied`. */
  roles?: string[];
  /** Let callers without a (valid) session through with `c.var.sitewide = null`. */
  optional?: boolean;
}

export function sitewideSession<E extends SitewideEnv = SitewideEnv>(
  options: SitewideSessionOptions<E>,
): MiddlewareHandler<E> {
  const { binding, ...verifierOptions } = options;
  const verifier = createSitewideVerifier(verifierOptions);
  return async function sitewideSessionMiddleware(context, next) {
    const bound = typeof binding === 'function' ? binding(context) : binding;
    const c = context as unknown as Context<SitewideEnv>;
    const result = await verifier.verify(c.req.raw, bound ? { binding: bound } : {});
    const answer = (failure: SitewideFailure) => {
      const res = c.json(errorBody(failure), failure.status as 401);
      res.headers.set('Cache-Control', 'no-store');
      for (const value of result.setCookie) res.headers.append('Set-Cookie', value);
      return res;
    };
    if (!result.ok) {
      if (!(options.optional && result.status < 500)) return answer(result);
      c.set('sitewide', null);
      c.set('sitewideFailure', result);
    } else if (!hasAnyRole(result.user, options.roles)) {
      return answer(accessDenied(options.roles ?? []));
    } else {
      c.set('sitewide', { user: result.user, session: result.session, via: result.via });
    }
    await next();
    if (result.setCookie.length > 0) {
      // Headers of a Response built elsewhere (e.g. fetched) may be immutable: copy it first.
      try {
        for (const value of result.setCookie) c.res.headers.append('Set-Cookie', value);
      } catch {
        c.res = new Response(c.res.body, c.res);
        for (const value of result.setCookie) c.res.headers.append('Set-Cookie', value);
      }
    }
    return undefined;
  };
}
