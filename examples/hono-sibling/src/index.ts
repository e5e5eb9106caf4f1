/**
 * A sibling Worker (e.g. app.example.com) protected by Sitewide with @sitewide/verify/hono.
 * Sessions are verified locally with Sitewide's public keys; an expired session cookie is renewed
 * over the SITEWIDE service binding (Sitewide's `SitewideRpc` entrypoint) and the renewed
 * Set-Cookie (Domain=COOKIE_DOMAIN) is forwarded on this Worker's response.
 */
import { signInUrl } from '@sitewide/verify/browser';
import { type SitewideBinding, type SitewideVariables, sitewideSession } from '@sitewide/verify/hono';
import { type Context, Hono, type MiddlewareHandler } from 'hono';

export interface SiblingBindings {
  /** Sitewide's origin, e.g. https://api.example.com. */
  SITEWIDE_ISSUER: string;
  /** This app's audience in Sitewide's TOKEN_AUDIENCES: Bearer access tokens for it are accepted (empty: none). */
  SITEWIDE_AUDIENCE?: string;
  /** The service binding to Sitewide's SitewideRpc entrypoint (absent: renewals over HTTP). */
  SITEWIDE?: SitewideBinding;
  /** Sitewide's default entrypoint: metadata and keys through it (absent: fetched from SITEWIDE_ISSUER). */
  SITEWIDE_HTTP?: { fetch: typeof fetch };
}

type SiblingEnv = { Bindings: SiblingBindings; Variables: SitewideVariables };

/** The middleware is built on the first request, when the Worker's vars are known; then reused. */
function lazy(build: (env: SiblingBindings) => MiddlewareHandler<SiblingEnv>): MiddlewareHandler<SiblingEnv> {
  let built: MiddlewareHandler<SiblingEnv> | undefined;
  return (c, next) => {
    built ??= build(c.env);
    return built(c, next);
  };
}

function sitewideOptions(env: SiblingBindings) {
  const http = env.SITEWIDE_HTTP;
  return {
    issuer: env.SITEWIDE_ISSUER,
    ...(env.SITEWIDE_AUDIENCE ? { audience: env.SITEWIDE_AUDIENCE } : {}),
    // Per request: a binding belongs to the request's env.
    binding: (c: Context<SiblingEnv>) => c.env.SITEWIDE,
    ...(http ? { fetch: ((input, init) => http.fetch(input, init)) as typeof fetch } : {}),
  };
}

const requireSession = lazy((env) => sitewideSession<SiblingEnv>(sitewideOptions(env)));
const optionalSession = lazy((env) => sitewideSession<SiblingEnv>({ ...sitewideOptions(env), optional: true }));

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

const app = new Hono<SiblingEnv>()
  .get('/health', (c) => c.json({ ok: true }))
  // The protected JSON route: 401 with Sitewide's error JSON (and a hint) without a session.
  .get('/api/whoami', requireSession, (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json(c.var.sitewide);
  })
  // A page: greets a signed-in user, else links to sign-in (one click, back to this page).
  .get('/', optionalSession, (c) => {
    c.header('Cache-Control', 'no-store');
    const who = c.var.sitewide;
    const body = who
      ? `<p>Signed in as ${escapeHtml(who.user.name ?? who.user.email ?? who.user.id)}.</p>`
      : `<p><a href="${escapeHtml(signInUrl(c.env.SITEWIDE_ISSUER, c.req.url))}">Sign in with Google</a></p>`;
    return c.html(`<!doctype html><meta charset="utf-8"><title>Sibling app</title>${body}`);
  });

export default app;
