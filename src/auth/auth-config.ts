import { type AuthConfig, customFetch } from '@auth/core';
import Google from '@auth/core/providers/google';
import { asciiLowerCase } from '../access/address';
import {
  type Admission,
  admit,
  CONSUMER_GOOGLE_DOMAINS,
  emailDomainOf,
  invitationMayAdmit,
  refusalDetail,
  type SignInRefusal,
} from '../access/admission';
import type { Config } from '../config/config';
import type { Db } from '../db/client';
import { describeCause, log } from '../log';
import { sessionsCarriedBy } from '../session/carried-sessions';
import { sessionCookieOptions } from '../session/cookie';
import type { SigningKeys } from '../session/keys';
import { signSessionToken, type TokenContext, type TokenProfile } from '../session/token';
import type { RequestMeta } from '../users/auth-events';
import { isInvited, recordRefusedSignIn } from '../users/invitations';
import { revokeSession } from '../users/sessions';
import { recordSignIn } from '../users/sign-in/record-sign-in';
import type { ProviderProfile } from '../users/sign-in/types';
import type { WorkspaceSignIn, WorkspaceVerdict } from '../workspace/sign-in';
import { fetchWithDiscoveryCache } from './discovery-cache';
import { authJsFlowCookies } from './flow-cookies';
import { redirectPolicyOf, resolveRedirect } from './redirect-policy';

export interface AuthDeps {
  config: Config;
  keys: SigningKeys;
  /** The request's drizzle client, opened on first use (sign-in and sign-out write: the D1 primary). */
  db: () => Db;
  /** With SESSION_DBS: the drizzle client of the database holding `userId`'s sessions (absent: `db`). */
  sessionDbOf?: (userId: string) => Db;
  meta: RequestMeta;
  /**
   * Every copy of the session cookie the request carried (read by our cookie
   * module, never by Auth.js): sign-out revokes each whose token is genuine.
   */
  sessionCookieValues: string[];
  /** Records revoked sessions in the revocation feed (after D1); never throws. */
  recordRevoked?: (sessionIds: string[]) => Promise<void>;
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
  /** The Workspace link's sign-in hook (src/workspace/sign-in.ts), when it is configured. */
  workspace?: WorkspaceSignIn;
}

/** Where a refused sign-in lands: our error page, told why (for the message only; anyone can craft this URL). */
export function refusedSignInUrl(config: Config, reason: SignInRefusal): string {
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
    hostedDomain: ((hd) => (hd === null ? null : asciiLowerCase(hd)))(str(claims.hd)),
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
  let signedIn: { userId: string; sessionId: string; roles: string[]; profile: TokenProfile } | undefined;

  /** The admission policy, with the invitation looked up only when the configured lists refuse. */
  async function admission(profile: ProviderProfile): Promise<Admission> {
    const first = admit(profile, config.admission, false);
    if (first.ok || !invitationMayAdmit(first) || !profile.email) return first;
    return admit(profile, config.admission, await isInvited(deps.db(), profile.email, profile));
  }

  return {
    basePath: '/auth',
    // Our own pages (src/routes/auth.ts): Auth.js redirects here instead of rendering its built-in ones,
    // which the Worker does not bundle (src/bundle/no-authjs-pages.ts). Both are the paths it defaults to.
    pages: { signIn: '/auth/signin', error: '/auth/error' },
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
        const text = (v: unknown) => (typeof v === 'string' ? v : null);
        // The jwt callback below fills these from the sign-in batch (null: the user has none); a token
        // without them gets no profile claims, and readers then ask D1 rather than show nulls.
        const profile: TokenProfile | undefined =
          'email' in token && 'name' in token && 'picture' in token
            ? { email: text(token.email), name: text(token.name), picture: text(token.picture) }
            : undefined;
        return signSessionToken(
          { sub: token.sub, sid: token.sid, ttl: config.sessionTokenTtl, roles, ...(profile ? { profile } : {}) },
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
        let workspace: WorkspaceVerdict | undefined;
        try {
          let decision = await admission(identity);
          // The Workspace link (when configured): the Directory's word on the account; never throws.
          if (decision.ok && deps.workspace) {
            workspace = await deps.workspace.check(identity);
            if (workspace.kind === 'refused') {
              decision = { ok: false, reason: 'workspace_inactive', emailDomain: emailDomainOf(identity.email) };
            }
          }
          if (!decision.ok) {
            await recordRefusedSignIn(deps.db(), {
              account: identity,
              detail: refusalDetail(decision),
              now: now(),
              meta: deps.meta,
            });
            return refusedSignInUrl(config, decision.reason);
          }
          result = await recordSignIn(
            deps.db(),
            identity,
            {
              id: sessionId,
              meta: deps.meta,
              now: now(),
              maxAge: config.sessionMaxAge,
            },
            deps.sessionDbOf,
          );
        } catch (cause) {
          deps.onStorageError(cause);
          throw cause;
        }
        // The verified address belongs to another user: refused, audited in the batch (docs/access.md).
        if (result.kind === 'conflict') return refusedSignInUrl(config, 'account_conflict');
        // Disabled: Auth.js's AccessDenied, whose page says so.
        if (result.kind === 'disabled') return false;
        if (workspace)
          result.roles = (await deps.workspace?.rolesAfterSignIn(result.userId, workspace)) ?? result.roles;
        signedIn = { userId: result.userId, sessionId, roles: result.roles, profile: result.profile };
        deps.onSignIn?.({ userId: result.userId, roles: result.roles });
        return true;
      },
      async jwt({ token, trigger }) {
        if (trigger === 'signIn' || trigger === 'signUp') {
          if (!signedIn) throw new Error('jwt callback ran before the sign-in was recorded');
          // Our ids, the roles and the stored profile (what GET /api/me and siblings render) go in the token.
          const { email, name, picture } = signedIn.profile;
          return { sub: signedIn.userId, sid: signedIn.sessionId, roles: signedIn.roles, email, name, picture };
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
            carried.map((s) =>
              revokeSession(deps.sessionDbOf ? deps.sessionDbOf(s.userId) : deps.db(), {
                ...s,
                now: at,
                meta: deps.meta,
                kind: 'sign_out',
              }),
            ),
          );
        } catch (cause) {
          deps.onStorageError(cause);
          throw cause;
        }
        await deps.recordRevoked?.(carried.map((s) => s.sessionId));
      },
    },
    logger: {
      error: (error) => log('error', 'auth.js error', { cause: describeCause(error) }),
      warn: (code) => log('warn', 'auth.js warning', { code }),
      debug: () => {},
    },
  };
}
