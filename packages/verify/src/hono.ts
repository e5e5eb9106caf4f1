/**
 * @sitewide/verify/hono: `sitewideSession()` sets `c.var.sitewide = { user, session, via }`, sends
 * a page navigation without a session to Sitewide's sign-in page and back, or answers with
 * Sitewide's own error JSON and status; `optionalSitewideSession()` lets everyone through
 * (`c.var.sitewide` is `null` when nobody is signed in). Both forward a renewed cookie and mark the
 * response `Cache-Control: private, no-store` (unless the handler set one) and `Vary: Cookie, Authorization`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { errorBody, type SitewideFailure } from './errors.ts';
import type { SitewideBinding } from './refresh.ts';
import { type GateOptions, SESSION_CACHE_CONTROL, SESSION_VARY, sessionGate } from './session-gate.ts';
import { createSitewideVerifier, type SitewideContext, type SitewideVerifierOptions } from './verifier.ts';

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
  extends Omit<SitewideVerifierOptions, 'binding'>,
    GateOptions {
  /** A service binding to Sitewide's `SitewideRpc`, or how to find it per request: `(c) => c.env.SITEWIDE`. */
  binding?: SitewideBinding | ((c: Context<E>) => SitewideBinding | undefined);
}

/**
 * Protects the routes after it. A page navigation without a session is redirected (302) to
 * `${issuer}/auth/signin?callbackUrl=<this URL>`; other requests get the JSON 401.
 *
 * @example
 * const app = new Hono<{ Variables: SitewideVariables }>();
 * app.use('/api/*', sitewideSession({ issuer: 'https://api.example.com' }));
 * app.get('/api/me', (c) => c.json(c.var.sitewide?.user));
 */
export function sitewideSession<E extends SitewideEnv = SitewideEnv>(
  options: SitewideSessionOptions<E>,
): MiddlewareHandler<E> {
  const { binding, roles, optional, onMissing, origin, ...verifierOptions } = options;
  const verifier = createSitewideVerifier(verifierOptions);
  const decide = sessionGate(verifierOptions.issuer, { roles, optional, onMissing, origin });

  return async function sitewideSessionMiddleware(context, next) {
    const bound = typeof binding === 'function' ? binding(context) : binding;
    const c = context as unknown as Context<SitewideEnv>;
    const result = await verifier.verify(c.req.raw, bound ? { binding: bound } : {});
    const request = {
      method: c.req.method,
      accept: c.req.header('accept'),
      fetchMode: c.req.header('sec-fetch-mode'),
      url: () => c.req.url,
    };
    const decision = decide(result, request, () => {
      const url = new URL(c.req.url);
      return `${url.pathname}${url.search}`;
    });
    if (decision.kind === 'redirect') {
      return withSessionHeaders(c.redirect(decision.location, 302), result.setCookie, ['Accept']);
    }
    if (decision.kind === 'refuse') {
      const refused = c.json(errorBody(decision.failure), decision.failure.status as 401);
      return withSessionHeaders(refused, result.setCookie, ['Accept']);
    }
    c.set('sitewide', decision.sitewide);
    if (decision.failure) c.set('sitewideFailure', decision.failure);
    await next();
    const answered = withSessionHeaders(c.res, result.setCookie, []);
    if (answered !== c.res) {
      // A copy (the handler's Response had immutable headers): replace, without Hono merging the old headers back.
      c.res = undefined;
      c.res = answered;
    }
    return undefined;
  };
}

/**
 * For pages that work signed in or out: `c.var.sitewide` is the caller or `null`, never a 401 (an
 * expired cookie is still renewed; Sitewide unreachable is still a 503).
 */
export function optionalSitewideSession<E extends SitewideEnv = SitewideEnv>(
  options: Omit<SitewideSessionOptions<E>, 'optional' | 'onMissing'>,
): MiddlewareHandler<E> {
  return sitewideSession<E>({ ...options, optional: true });
}

/** The renewed Set-Cookie, `Cache-Control: private, no-store` unless one is set, and Vary; on a copy when the headers are immutable. */
function withSessionHeaders(res: Response, setCookie: string[], vary: string[]): Response {
  const apply = (headers: Headers) => {
    if (!headers.has('cache-control')) headers.set('Cache-Control', SESSION_CACHE_CONTROL);
    const present = (headers.get('vary') ?? '').split(',').map((v) => v.trim().toLowerCase());
    for (const name of [...SESSION_VARY, ...vary]) {
      if (!present.includes(name.toLowerCase()) && !present.includes('*')) headers.append('Vary', name);
    }
    for (const value of setCookie) headers.append('Set-Cookie', value);
  };
  try {
    apply(res.headers);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    apply(copy.headers);
    return copy;
  }
}
