import type { Config } from '../config/config';
import { createDb } from '../db/client';
import { guardDb } from '../db/guard';
import { ApiError } from '../errors';
import { profileFromClaims, type SessionClaims } from '../session/token';
import { findUserById } from '../users/find-user';
import { gateError, gateJson, gateRedirect } from './answers';

/** The gate's own paths on every gated host; nothing else under it reaches the origin. */
export const OWN_PREFIX = '/_sitewide';

export const isOwnPath = (path: string) => path === OWN_PREFIX || path.startsWith(`${OWN_PREFIX}/`);

/**
 * Where `/_sitewide/signout` sends the browser: the API's sign-out page, which
 * asks once, then lands on the API's sign-in page for this app. Not on the app
 * itself: landing there would start a sign-in at once, and Google signs a
 * browser with one Google account straight back in.
 */
export function signOutLocation(config: Config, gatedOrigin: string): string {
  const signIn = `${config.apiOrigin}/auth/signin?callbackUrl=${encodeURIComponent(`${gatedOrigin}/`)}`;
  return `${config.apiOrigin}/auth/signout?callbackUrl=${encodeURIComponent(signIn)}`;
}

/** `/_sitewide/signout` (no session needed), or the 404 of every unknown `/_sitewide/` path; undefined for `/_sitewide/me`. */
export function ownPathBeforeAuth(
  request: Request,
  path: string,
  config: Config,
  gatedOrigin: string,
): Response | undefined {
  if (path === `${OWN_PREFIX}/me`) return undefined;
  if (path === `${OWN_PREFIX}/signout`) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return gateError(405, 'method_not_allowed', 'GET /_sitewide/signout: a link to sign out', {
        headers: { Allow: 'GET, HEAD' },
      });
    }
    return gateRedirect(signOutLocation(config, gatedOrigin));
  }
  return gateError(404, 'not_found', `No route for ${request.method} ${path}: /_sitewide/ is the gate's (me, signout)`);
}

/**
 * `GET /_sitewide/me`: the signed-in user for the app's front end, as `GET /api/me`
 * answers it (`{id, email, name, image, roles}`), from the token's claims (D1
 * when the token does not carry the profile), `Cache-Control: private, no-store`.
 */
export async function whoAmI(
  request: Request,
  claims: SessionClaims,
  env: Env,
  setCookies: readonly string[],
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return gateError(405, 'method_not_allowed', 'GET /_sitewide/me', { headers: { Allow: 'GET, HEAD' } });
  }
  const roles = [...claims.roles];
  const carried = profileFromClaims(claims);
  if (carried) {
    const { email, name, picture } = carried;
    return gateJson({ id: claims.sub, email, name, image: picture, roles }, setCookies);
  }
  try {
    const user = await guardDb(() => findUserById(createDb(env.DB.withSession('first-unconstrained')), claims.sub));
    if (!user) return gateError(401, 'user_not_found', 'The user of this session no longer exists; sign in again');
    return gateJson({ id: user.id, email: user.email, name: user.name, image: user.image, roles }, setCookies);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return gateError(503, error.code, error.message, { headers: { 'Retry-After': '5' } });
  }
}
