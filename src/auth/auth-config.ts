import { type AuthConfig, customFetch } from '@auth/core';
import Google from '@auth/core/providers/google';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { describeCause, log } from '../log';
import type { SigningKeys } from '../session/keys';
import { signSessionToken, type TokenContext, verifySessionToken } from '../session/token';
import type { RequestMeta } from '../users/auth-events';
import { type ProviderProfile, recordSignIn } from '../users/repository';
import { revokeSession } from '../users/sessions';
import { fetchWithDiscoveryCache } from './discovery-cache';
import { resolveRedirect } from './redirect-policy';

export interface AuthDeps {
  config: Config;
  keys: SigningKeys;
  db: Db;
  meta: RequestMeta;
  /** The Auth.js action of this request (`signin`, `callback`, `signout`, …). */
  action: string;
  now?: () => Date;
  /**
   * Called when D1 fails during sign-in. Auth.js turns every exception in a
   * callback into a redirect to its error page; the route answers 503 instead.
   */
  onStorageError: (cause: unknown) => void;
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
  let signedIn: { userId: string; sessionId: string } | undefined;

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
        [customFetch]: fetchWithDiscoveryCache,
      }),
    ],
    session: { strategy: 'jwt', maxAge: config.sessionMaxAge },
    cookies: {
      sessionToken: {
        name: config.sessionCookieName,
        options: {
          httpOnly: true,
          sameSite: 'lax',
          path: '/',
          secure: config.secureCookies,
          ...(config.cookieDomain ? { domain: config.cookieDomain } : {}),
        },
      },
    },
    jwt: {
      maxAge: config.sessionMaxAge,
      // The session cookie is our signed token, so any backend can verify it with the public keys.
      async encode({ token }) {
        if (typeof token?.sub !== 'string' || typeof token.sid !== 'string') {
          throw new Error('session token payload lacks sub or sid');
        }
        // Re-encoding a decoded token (Auth.js does on GET /auth/session) must not extend it.
        const keep = typeof token.exp === 'number' && typeof token.iat === 'number';
        return signSessionToken(
          {
            sub: token.sub,
            sid: token.sid,
            ttl: config.sessionTokenTtl,
            ...(keep ? { iat: token.iat, exp: token.exp } : {}),
          },
          keys,
          tokenContext(),
        );
      },
      async decode({ token }) {
        if (!token) return null;
        const result = await verifySessionToken(token, keys, tokenContext());
        if (result.ok) return { ...result.claims };
        // Signing out must revoke the session even when the short token inside the cookie has expired.
        if (deps.action === 'signout' && result.expiredClaims) return { ...result.expiredClaims };
        return null;
      },
    },
    callbacks: {
      async signIn({ account, profile }) {
        if (!account || !profile) return false;
        const sessionId = crypto.randomUUID();
        let result: Awaited<ReturnType<typeof recordSignIn>>;
        try {
          result = await recordSignIn(deps.db, profileOf(account, profile), {
            id: sessionId,
            meta: deps.meta,
            now: now(),
            maxAge: config.sessionMaxAge,
          });
        } catch (cause) {
          deps.onStorageError(cause);
          throw cause;
        }
        if (result.kind === 'disabled') return false;
        signedIn = { userId: result.userId, sessionId };
        return true;
      },
      async jwt({ token, trigger }) {
        if (trigger === 'signIn' || trigger === 'signUp') {
          if (!signedIn) throw new Error('jwt callback ran before the sign-in was recorded');
          // Only our ids go in the token: nothing personal rides in the cookie.
          return { sub: signedIn.userId, sid: signedIn.sessionId };
        }
        return token;
      },
      redirect({ url }) {
        return resolveRedirect(url, {
          apiOrigin: config.apiOrigin,
          allowedOrigins: config.allowedOrigins,
          appUrl: config.appUrl,
        });
      },
    },
    events: {
      async signOut(message) {
        const token = 'token' in message ? message.token : null;
        if (typeof token?.sub !== 'string' || typeof token.sid !== 'string') return;
        try {
          await revokeSession(deps.db, {
            userId: token.sub,
            sessionId: token.sid,
            now: now(),
            meta: deps.meta,
            kind: 'sign_out',
          });
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
