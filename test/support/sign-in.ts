import { decodeJwt } from 'jose';
import type { GoogleIdentity } from '../../scripts/google-identity';
import type { CookieJar } from './cookies';
import { type SignInResult, signInFlow } from './sign-in-flow';
import { API, api, SESSION_COOKIE } from './worker';

/** The full sign-in against the Worker under test; see signInFlow. */
export function signIn(
  identity: Partial<GoogleIdentity> & { sub: string },
  options: { callbackUrl?: string; userAgent?: string; jar?: CookieJar } = {},
): Promise<SignInResult> {
  return signInFlow(api, API, identity, options);
}

/** The session a jar holds: its session token, the token's `sub` (our user id) and `sid` (the session row). */
export function sessionOf(jar: CookieJar): { token: string; userId: string; sid: string } {
  const token = jar.get(SESSION_COOKIE);
  if (!token) throw new Error(`the jar holds no ${SESSION_COOKIE} cookie`);
  const { sub, sid } = decodeJwt(token);
  if (typeof sub !== 'string' || typeof sid !== 'string') throw new Error('the session token has no sub or sid');
  return { token, userId: sub, sid };
}
