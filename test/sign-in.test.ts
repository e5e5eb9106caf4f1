import { env } from 'cloudflare:workers';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { setCookies } from './support/cookies';
import { rows, userIdOf } from './support/db';
import { APP_ORIGIN, codeOf } from './support/http';
import { signIn } from './support/sign-in';
import { API, api, SESSION_COOKIE } from './support/worker';

const alice = {
  sub: 'google-sub-alice',
  email: 'alice@example.test',
  email_verified: true,
  name: 'Alice',
  picture: 'https://example.test/alice.png',
};

describe('sign-in through the loopback OIDC server', () => {
  it('sends the browser to the provider with PKCE (S256), state and nonce', async () => {
    const { authorizeUrl } = await signIn({ sub: 'google-sub-checks' });
    expect(authorizeUrl.origin).toBe(env.AUTH_GOOGLE_ISSUER);
    expect(authorizeUrl.searchParams.get('client_id')).toBe('sitewide-test-client');
    expect(authorizeUrl.searchParams.get('redirect_uri')).toBe(`${API}/auth/callback/google`);
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorizeUrl.searchParams.get('state')).toBeTruthy();
    expect(authorizeUrl.searchParams.get('nonce')).toBeTruthy();
  });

  it('creates the user, account and session rows, sets the parent-domain cookie, and /api/me reads the user back', async () => {
    const { callback, jar } = await signIn(alice, { userAgent: 'Alice Browser/1.0' });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`${APP_ORIGIN}/home`);

    const [user] = await rows(
      'accounts JOIN users ON users.id = accounts.user_id',
      'provider_account_id = ?',
      alice.sub,
    );
    expect(user).toMatchObject({
      provider: 'google',
      email: alice.email,
      email_verified: 1,
      name: 'Alice',
      image: alice.picture,
      disabled_at: null,
    });
    const userId = (user as { user_id: string }).user_id;

    const cookie = setCookies(callback).find((c) => c.name === SESSION_COOKIE);
    expect(cookie?.attributes).toMatchObject({
      domain: 'example.test',
      path: '/',
      httponly: true,
      secure: true,
      samesite: 'Lax',
    });
    expect(typeof cookie?.attributes.expires).toBe('string');

    const token = cookie?.value ?? '';
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'test-key-1', typ: 'sitewide-session+jwt' });
    const claims = decodeJwt(token);
    // The profile rides in the token (GET /api/me and siblings render it without D1); no roles: none granted.
    expect(Object.keys(claims).sort()).toEqual(['aud', 'email', 'exp', 'iat', 'iss', 'name', 'picture', 'sid', 'sub']);
    expect(claims).toMatchObject({
      iss: API,
      aud: API,
      sub: userId,
      email: alice.email,
      name: 'Alice',
      picture: alice.picture,
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);

    const sessions = await rows('sessions', 'id = ?', claims.sid);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ user_id: userId, revoked_at: null, user_agent: 'Alice Browser/1.0' });
    const session = sessions[0] as { created_at: number; expires_at: number };
    expect(session.expires_at - session.created_at).toBe(2592000 * 1000);

    const me = await api('/api/me', { jar });
    expect(me.status).toBe(200);
    expect(me.headers.get('cache-control')).toBe('no-store');
    expect(await me.json()).toEqual({ id: userId, email: alice.email, name: 'Alice', image: alice.picture, roles: [] });
  });

  it('a second sign-in of the same Google account updates the user instead of duplicating it', async () => {
    const first = await signIn({ ...alice, sub: 'google-sub-bob', email: 'bob@example.test', name: 'Bob' });
    const second = await signIn({ ...alice, sub: 'google-sub-bob', email: 'robert@example.test', name: 'Robert' });
    expect(second.callback.status).toBe(302);

    const accounts = await rows('accounts', 'provider_account_id = ?', 'google-sub-bob');
    expect(accounts).toHaveLength(1);
    const userId = (accounts[0] as { user_id: string }).user_id;
    expect(await rows('users', 'id = ?', userId)).toMatchObject([{ email: 'robert@example.test', name: 'Robert' }]);
    expect(await rows('sessions', 'user_id = ?', userId)).toHaveLength(2);

    // Each token carries the profile as of its sign-in: the first session shows the old one until
    // its token is refreshed (at most one token lifetime), the second the new one.
    const seen = [];
    for (const { jar } of [first, second]) seen.push(await (await api('/api/me', { jar })).json());
    expect(seen).toMatchObject([
      { id: userId, email: 'bob@example.test', name: 'Bob' },
      { id: userId, email: 'robert@example.test', name: 'Robert' },
    ]);
  });

  it('keys users by Google sub, not email: a changed address stays the same user', async () => {
    await signIn({ sub: 'google-sub-carol-1', email: 'carol@example.test' });
    await signIn({ sub: 'google-sub-carol-1', email: 'carol.new@example.test' });
    expect(await rows('users', 'email = ?', 'carol@example.test')).toEqual([]);
    expect(await rows('users', 'email = ?', 'carol.new@example.test')).toMatchObject([
      { email_normalized: 'carol.new@example.test' },
    ]);
    // An address Google has not verified is held by nobody: another sub with it is another user.
    await signIn({ sub: 'google-sub-carol-2', email: 'carol.new@example.test', email_verified: false });
    expect(await rows('users', 'email = ?', 'carol.new@example.test')).toHaveLength(2);
  });
});

describe('a disabled user', () => {
  it('cannot sign in again: 403 access_denied, no cookie, no new session row', async () => {
    await signIn({ sub: 'google-sub-dave' });
    await env.DB.prepare(
      "UPDATE users SET disabled_at = 1 WHERE id = (SELECT user_id FROM accounts WHERE provider_account_id = 'google-sub-dave')",
    ).run();
    const { callback } = await signIn({ sub: 'google-sub-dave' });
    expect(callback.status).toBe(302);
    const next = new URL(callback.headers.get('location') ?? '');
    expect(next.pathname + next.search).toBe('/auth/error?error=AccessDenied');
    expect(setCookies(callback).some((c) => c.name === SESSION_COOKIE)).toBe(false);
    const error = await api(next.pathname + next.search);
    expect(error.status).toBe(403);
    expect(await codeOf(error)).toBe('access_denied');
    const sessions = await rows('sessions', 'user_id = ?', await userIdOf('google-sub-dave'));
    expect(sessions).toHaveLength(1);
  });
});
