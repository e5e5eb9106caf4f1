import type { Config } from '../config/config';
import { describeCause, log } from '../log';
import type { Authenticated, Refused } from '../session/authenticate';
import { gateError, gatePage, gateRedirect, isNavigation } from './answers';
import { deniedPage } from './denied-page';
import type { RequestTarget } from './dispatch';
import { signOutLocation } from './own-paths';
import type { Gate } from './settings';

/** One line per refusal of the gate (as the API's request log writes one per failure), never a token. */
export function logGate(
  request: Request,
  url: RequestTarget,
  gate: Gate,
  status: number,
  code: string,
  cause?: unknown,
): void {
  log(status >= 500 ? 'error' : 'warn', 'gate', {
    gate: gate.origin,
    method: request.method,
    path: url.path,
    status,
    error_code: code,
    ...(cause !== undefined ? { cause: describeCause(cause) } : {}),
  });
}

/**
 * No valid session. A page navigation goes to sign-in (one click, Google) and
 * comes back to this exact URL; anything else gets the refusal in JSON: `401`
 * (`missing_session`, `invalid_session`, `session_revoked`…), `403`
 * (`user_disabled`, `access_denied` by the sign-in policy) or `503` when D1
 * failed a renewal (never a sign-in loop for an outage). Clears of tossed
 * cookie copies go with either.
 */
export function noSession(request: Request, url: RequestTarget, config: Config, gate: Gate, auth: Refused): Response {
  logGate(request, url, gate, auth.status, auth.code, auth.cause);
  if (auth.status !== 503 && isNavigation(request)) {
    const signIn = `${config.apiOrigin}/auth/signin/google?callbackUrl=${encodeURIComponent(url.href)}`;
    return gateRedirect(signIn, auth.clears);
  }
  return gateError(auth.status, auth.code, auth.message, {
    ...(auth.clears ? { clears: auth.clears } : {}),
    ...(auth.headers ? { headers: auth.headers } : {}),
  });
}

/**
 * Signed in, without any of the gate's roles: our page naming them for a
 * navigation, `403 access_denied` for anything else. A renewed cookie still goes with it.
 */
export async function lacksRole(
  request: Request,
  url: RequestTarget,
  config: Config,
  gate: Gate,
  auth: Authenticated,
): Promise<Response> {
  const roles = gate.roles ?? [];
  logGate(request, url, gate, 403, 'access_denied');
  const res = isNavigation(request)
    ? await gatePage(
        deniedPage({
          siteName: config.siteName,
          host: url.host,
          roles,
          who: auth.claims.email ?? auth.claims.sub,
          signOutUrl: signOutLocation(config, gate.origin),
          appUrl: config.appUrl,
        }),
        403,
      )
    : gateError(
        403,
        'access_denied',
        `${url.host} requires ${roles.length === 1 ? 'the role' : 'one of the roles'} ${roles.join(', ')}`,
      );
  if (auth.renewedCookie) res.headers.append('Set-Cookie', auth.renewedCookie);
  return res;
}

/** A write or WebSocket upgrade from another origin (cross-origin.ts): `403 csrf_rejected`. */
export function crossOrigin(
  request: Request,
  url: RequestTarget,
  gate: Gate,
  auth: Authenticated,
  message: string,
): Response {
  logGate(request, url, gate, 403, 'csrf_rejected');
  const res = gateError(403, 'csrf_rejected', message);
  if (auth.renewedCookie) res.headers.append('Set-Cookie', auth.renewedCookie);
  return res;
}
