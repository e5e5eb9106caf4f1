import type { SigningKeys } from './keys';
import { type VerifyContext, verifySessionToken } from './token';

/** More distinct tokens than this in one request are not a browser's: the rest are ignored. */
const MAX_CARRIED_TOKENS = 8;

/**
 * The sessions whose genuine tokens a request carries, fresh or past their
 * `exp` (signing out must revoke a session whose short token has expired), in
 * any copy of the session cookie: when a sibling tossed its own copy next to
 * the victim's, sign-out revokes both rather than guessing which is whose.
 */
export async function sessionsCarriedBy(
  values: Iterable<string>,
  keys: SigningKeys,
  ctx: VerifyContext,
): Promise<Array<{ userId: string; sessionId: string }>> {
  const tokens = [...new Set(values)].slice(0, MAX_CARRIED_TOKENS);
  const results = await Promise.all(tokens.map((token) => verifySessionToken(token, keys, ctx)));
  const sessions = new Map<string, { userId: string; sessionId: string }>();
  for (const result of results) {
    const claims = result.ok ? result.claims : result.expiredClaims;
    if (claims) sessions.set(`${claims.sub} ${claims.sid}`, { userId: claims.sub, sessionId: claims.sid });
  }
  return [...sessions.values()];
}
