import { type Config, ConfigError } from '../config/config';
import { createDb } from '../db/client';
import { sessionDatabaseOf } from '../db/session-databases';
import { describeCause, log } from '../log';
import { type AuthenticateDeps, authenticateSession } from '../session/authenticate';
import { importedSigningKeys, loadSigningKeys, type SigningKeys } from '../session/keys';
import { requestMetaOf } from '../users/auth-events';
import { gateError } from './answers';
import { gateAssertion } from './assertion';
import { crossOriginRefusal } from './cross-origin';
import { type GatedRequest, type RequestTarget, targetOf } from './dispatch';
import { forwardedRequest } from './forwarded-request';
import { isOwnPath, ownPathBeforeAuth, whoAmI } from './own-paths';
import { isPublicPath } from './public-paths';
import { crossOrigin, lacksRole, logGate, noSession } from './refusals';
import type { Gate } from './settings';

/** How requests reach the origin. */
export type Upstream = (request: Request) => Promise<Response>;

/**
 * The gate (GATES, docs/gate.md): serves a request to a gated host, the session
 * checked exactly as on /api (src/session/authenticate.ts), in this order:
 *
 * 1. `/_sitewide/signout` and unknown `/_sitewide/` paths are answered (own-paths.ts);
 * 2. a `public` path goes on with no session (client identity headers and the session cookie stripped);
 * 3. no valid session: sign-in for a page navigation, else the refusal in JSON (refusals.ts);
 * 4. none of the gate's roles: `403`, our page or `access_denied`;
 * 5. a write or WebSocket upgrade from another origin: `403 csrf_rejected` (cross-origin.ts);
 * 6. `/_sitewide/me` is answered; anything else goes on to the origin with the caller's identity
 *    headers and a signed assertion (forwarded-request.ts, assertion.ts), the body streamed; the
 *    origin's answer comes back untouched but for a renewed session cookie appended.
 *
 * `upstream` is the global fetch in the Worker; the bench passes a stand-in.
 */
export function createGate(upstream: Upstream = (request) => fetch(request)) {
  return async function serveGated(
    request: Request,
    env: Env,
    ctx: ExecutionContext,
    { config, gate }: GatedRequest,
  ): Promise<Response> {
    const url = targetOf(request.url, gate);
    try {
      const keys = importedSigningKeys(config.signingKeysJson) ?? (await loadSigningKeys(config.signingKeysJson));
      return await gated(request, url, { env, ctx, config, keys, gate, upstream });
    } catch (error) {
      if (error instanceof ConfigError) {
        logGate(request, url, gate, 500, 'misconfigured', error);
        return gateError(500, 'misconfigured', error.message);
      }
      log('error', 'gate: unhandled error', { gate: gate.origin, cause: describeCause(error, true) });
      return gateError(500, 'internal_error', 'Something went wrong on our side; it has been logged');
    }
  };
}

interface GateRun {
  env: Env;
  ctx: ExecutionContext;
  config: Config;
  keys: SigningKeys;
  gate: Gate;
  upstream: Upstream;
}

async function gated(request: Request, url: RequestTarget, run: GateRun): Promise<Response> {
  const { env, ctx, config, keys, gate } = run;
  const path = url.path;
  const own = isOwnPath(path);
  if (own) {
    const answer = ownPathBeforeAuth(request, path, config, gate.origin);
    if (answer) return answer;
  } else if (isPublicPath(gate.publicPaths, path)) {
    const cookie = request.headers.get('cookie');
    return forward(
      request,
      url,
      run,
      forwardedRequest(request, url, gate, cookie, config.sessionCookieName, undefined),
    );
  }

  const now = Date.now();
  const deps: AuthenticateDeps = {
    config,
    keys,
    env,
    waitUntil: (promise) => ctx.waitUntil(promise),
    // A gated host never gets the API's host-only D1 bookmark cookie: any replica may answer.
    sessionDb: (userId) =>
      createDb(sessionDatabaseOf(env, userId, config.sessionDbs).withSession('first-unconstrained')),
    meta: () => requestMetaOf(request.headers),
    path,
  };
  const cookie = request.headers.get('cookie');
  const auth = await authenticateSession(cookie, deps, { at: new Date(now) });
  if (!auth.ok) return noSession(request, url, config, gate, auth);
  const roles = gate.roles;
  if (roles && !roles.some((role) => auth.claims.roles.includes(role))) {
    return lacksRole(request, url, config, gate, auth);
  }
  const refused = crossOriginRefusal(request, gate.origin);
  if (refused) return crossOrigin(request, url, gate, auth, refused);
  if (own) return whoAmI(request, auth.claims, env, auth.renewedCookie ? [auth.renewedCookie] : []);

  const assertion = await gateAssertion(auth.claims, auth.token, keys, {
    issuer: config.apiOrigin,
    audience: gate.origin,
    now,
  });
  const identity = { claims: auth.claims, assertion };
  const forwarded = forwardedRequest(request, url, gate, cookie, config.sessionCookieName, identity);
  return forward(request, url, run, forwarded, auth.renewedCookie);
}

/** The origin's answer, streamed back as it is; a renewed session cookie appended. */
async function forward(
  request: Request,
  url: RequestTarget,
  run: GateRun,
  forwarded: Request,
  renewedCookie?: string,
): Promise<Response> {
  let res: Response;
  try {
    res = await run.upstream(forwarded);
  } catch (cause) {
    logGate(request, url, run.gate, 502, 'bad_gateway', cause);
    return gateError(502, 'bad_gateway', 'The app behind this address did not answer; try again shortly');
  }
  if (!renewedCookie) return res;
  const headers = new Headers(res.headers);
  headers.append('Set-Cookie', renewedCookie);
  // A WebSocket handshake (101) carries its socket, not a body.
  if (res.status === 101) return new Response(null, { status: 101, headers, webSocket: res.webSocket });
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}
