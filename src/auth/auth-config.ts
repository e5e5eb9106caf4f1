import { type AuthConfig, customFetch } from '@auth/core';
import Google from '@auth/core/providers/google';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { describeCause, log } from '../log';
import { sessionsCarriedBy } from '../session/carried-sessions';
import { sessionCookieOptions } from '../session/cookie';
import type { SigningKeys } from '../session/keys';
import { signSessionToken, type TokenContext } from '../session/token';
import { isInvited, recordRefusedSignIn } from '../users/admission';
import type { RequestMeta } from '../users/auth-events';
import { type ProviderProfile, recordSignIn } from '../users/repository';
import { revokeSession } from '../users/sessions';
import {
  type Admission,
  admit,
  CONSUMER_GOOGLE_DOMAINS,
  invitationMayAdmit,
  type RefusalReason,
  refusalDetail,
} from './admission';
import { fetchWithDiscoveryCache } from './discovery-cache';
import { authJsFlowCookies } from './flow-cookies';
import { redirectPolicyOf, resolveRedirect } from './redirect-policy';

export interface AuthDeps {
  config: Config;
  keys: SigningKeys;
  db: Db;
  meta: RequestMeta;
  /**
   * Every copy of the session cookie the request carried (read by our cookie
   * module, never by Auth.js): sign-out revokes each whose token is genuine.
   */
  sessionCookieValues: string[];
  /** Called once Auth.js has verified a sign-out (its CSRF token checked). */
  onSignOut?: () => void;
  now?: () => Date;
  /**
   * Called when D1 fails during sign-in. Auth.js turns every exception in a
   * callback into a redirect to its error page; the route answers 503 instead.
   */
  onStorageError: (cause: unknown) => void;
  /** Called when a sign-in was recorded and its session opened: the route applies APP_ACCESS to the landing page. */
  onSignIn?: (signedIn: { userId: string; roles: readonly string[] }) => void;
}

/** Where a refused sign-in lands: our error page, told why (for the message only; anyone can craft this URL). */
export function refusedSignInUrl(config: Config, reason: RefusalReason): string {
  return `${config.apiOrigin}/auth/error?${new URLSearchParams({ error: 'AccessDenied', reason })}`;
}

/**
 * The `hd` authorization parameter: with exactly one (Workspace) domain
 * listed, Google's account chooser is tuned to it. A hint only: the `hd`
 * claim of the ID token is what admission checks.
 */
function hostedDomainHint(config: Config): { authorization?: { params: { hd: string } } } {
  const [only, ...others] = config.admission.domains;
  if (!only || others.length > 0 || CONSUMER_GOOGLE_DOMAINS.has(only)) return {};
  return { authorization: { params: { hd: only } } };
}

/** Our session cookie's attributes, in Auth.js's cookie option type (it writes the cookie at sign-in). */
function sessionCookieOptionsForAuthJs(config: Config) {
  const { httpOnly, secure, path, domain } = sessionCookieOptions(config);
  return { httpOnly, secure, path, sameSite: 'lax' as const, ...(domain ? { domain } : {}) };
}

function profileOf(
  account: { provider: string; providerAccountId: string },
  claims: Record<string, unknown>,
): ProviderProfile {
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    provider: account.provider,
    providerAccountId: account.providerAccountId,
    email: str(claims.email),
    emailVerified: claims.email_verified === true,
    hostedDomain: str(claims.hd)?.toLowerCase() ?? null,
    name: str(claims.name),
    image: str(claims.picture),
  };
}

/**
 * The Auth.js configuration for one request: Google (OIDC with PKCE, state and
 * nonce), JWT sessions whose cookie is our own ES256 token, sign-ins recorded
 * in D1, and our redirect policy.
 */
export function createAuthConfig(deps: AuthDeps): AuthConfig {
  const { config, keys } = deps;
  const now = deps.now ?? (() => new Date());
  const tokenContext = (): TokenContext => ({ issuer: config.apiOrigin, audience: config.apiOrigin, now: now() });
  let signedIn: { userId: string; sessionId: string; roles: string[] } | undefined;

  /** The admission policy, with the invitation looked up only when the configured lists refuse. */
  async function admission(profile: ProviderProfile): Promise<Admission> {
    const first = admit(profile, config.admission, false);
    if (first.ok || !invitationMayAdmit(first) || !profile.email) return first;
    return admit(profile, config.admission, await isInvited(deps.db, profile.email, profile));
  }

  return {
    basePath: '/auth',
    // The route rewrites every request onto AUTH_URL, so the Host header is never trusted.
    trustHost: true,
    useSecureCookies: config.secureCookies,
    secret: config.authSecrets,
    providers: [
      Google({
        clientId: config.google.clientId,
        clientSecret: config.google.clientSecret,
        issuer: config.google.issuer,
        checks: ['pkce', 'state', 'nonce'],
        ...hostedDomainHint(config),
        [customFetch]: fetchWithDiscoveryCache,
      }),
    ],
    session: { strategy: 'jwt', maxAge: config.sessionMaxAge },
    cookies: {
      ...authJsFlowCookies(config),
      sessionToken: {
        name: config.sessionCookieName,
        options: sessionCookieOptionsForAuthJs(config),
      },
    },
    jwt: {
      maxAge: config.sessionMaxAge,
      // The session cookie is our signed token, so any backend can verify it with the public keys.
      async encode({ token }) {
        if (typeof token?.sub !== 'string' || typeof token.sid !== 'string') {
          throw new Error('session token payload lacks sub or sid');
        }
        const roles = Array.isArray(token.roles) ? token.roles.filter((r): r is string => typeof r === 'string') : [];
        return signSessionToken(
          { sub: token.sub, sid: token.sid, ttl: config.sessionTokenTtl, roles },
          keys,
          tokenContext(),
        );
      },
      // Auth.js never reads the session cookie (the route does not pass it on): nothing to decode.
      async decode() {
        return null;
      },
    },
    callbacks: {
      // A string answer is where Auth.js redirects instead of signing in (no user, account or session).
      async signIn({ account, profile }) {
        if (!account || !profile) return false;
        const identity = profileOf(account, profile);
        const sessionId = crypto.randomUUID();
        let result: Awaited<ReturnType<typeof recordSignIn>>;
        try {
          const decision = await admission(identity);
          if (!decision.ok) {
            await recordRefusedSignIn(deps.db, {
              account: identity,
              detail: refusalDetail(decision),
              now: now(),
              meta: deps.meta,
            });
            return refusedSignInUrl(config, decision.reason);
          }
          result = await recordSignIn(deps.db, identity, {
            id: sessionId,
            meta: deps.meta,
            now: now(),
            maxAge: config.sessionMaxAge,
          });
        } catch (cause) {
          deps.onStorageError(cause);
          throw cause;
        }
        // Disabled: Auth.js's AccessDenied, whose page says so.
        if (result.kind === 'disabled') return false;
        signedIn = { userId: result.userId, sessionId, roles: result.roles };
        deps.onSignIn?.({ userId: result.userId, roles: result.roles });
        return true;
      },
      async jwt({ token, trigger }) {
        if (trigger === 'signIn' || trigger === 'signUp') {
          if (!signedIn) throw new Error('jwt callback ran before the sign-in was recorded');
          // Our ids and the roles go in the token: nothing personal rides in the cookie.
          return { sub: signedIn.userId, sid: signedIn.sessionId, roles: signedIn.roles };
        }
        return token;
      },
      redirect({ url }) {
        return resolveRedirect(url, redirectPolicyOf(config));
      },
    },
    events: {
      // Runs after Auth.js checked the CSRF token; it is handed a stand-in, never our cookie.
      async signOut() {
        deps.onSignOut?.();
        const at = now();
        const carried = await sessionsCarriedBy(deps.sessionCookieValues, keys, {
          ...tokenContext(),
          maxLifetime: config.sessionTokenTtl,
        });
        try {
          await Promise.all(
            carried.map((s) => revokeSession(deps.db, { ...s, now: at, meta: deps.meta, kind: 'sign_out' })),
          );
        } catch (cause) {
          deps.onStorageError(cause);
          throw cause;
        }
      },
    },
    logger: {
      error: (error) => log('error', 'auth.js error', { cause: describeCause(error) }),
      warn: (code) => log('warn', 'auth.js warning', { code }),
      debug: () => {},
    },
  };
}
