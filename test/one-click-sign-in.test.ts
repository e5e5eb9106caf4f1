// GET /auth/signin/google?callbackUrl=…: one click starts the Google flow (the sibling kit).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { CookieJar, setCookies } from './support/cookies';
import { userIdOf } from './support/db';
import { APP_ORIGIN, APP_URL, codeOf } from './support/http';
import { sessionOf } from './support/sign-in';
import { API, api, SESSION_COOKIE } from './support/worker';

const FLOW = ['state', 'pkce.code_verifier', 'nonce', 'callback-url', 'csrf-token'].map((n) => `__Host-authjs.${n}`);

/** The one-click URL for a test identity (the loopback OIDC server signs in whoever login_hint names). */
function oneClick(sub: string, callbackUrl: string, extra = '') {
  const hint = encodeURIComponent(JSON.stringify({ sub }));
  return `/auth/signin/google?callbackUrl=${encodeURIComponent(callbackUrl)}&login_hint=${hint}${extra}`;
}

/** The provider's authorize step; returns the callback path + query the browser opens next. */
async function authorize(start: Response): Promise<string> {
  const res = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get('location') ?? '');
  expect(back.origin + back.pathname).toBe(`${API}/auth/callback/google`);
  return back.pathname + back.search;
}

describe('GET /auth/signin/google (one click)', () => {
  it('302 to the OIDC server authorize URL with state, PKCE (S256), nonce and our redirect_uri', async () => {
    const res = await api(oneClick('one-click-url', `${APP_ORIGIN}/home`));
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location') ?? '');
    expect(to.origin).toBe(env.AUTH_GOOGLE_ISSUER);
    expect(to.pathname).toBe('/authorize');
    const params = Object.fromEntries(to.searchParams);
    expect(params).toMatchObject({
      response_type: 'code',
      client_id: env.AUTH_GOOGLE_ID,
      redirect_uri: `${API}/auth/callback/google`,
      code_challenge_method: 'S256',
      login_hint: JSON.stringify({ sub: 'one-click-url' }),
    });
    for (const name of ['state', 'code_challenge', 'nonce']) expect(params[name]).toMatch(/^[\w.-]{20,}$/);
  });

  it('sets the flow cookies host-only under __Host- names: state, PKCE, nonce, callback URL (and CSRF)', async () => {
    const res = await api(oneClick('one-click-cookies', `${APP_ORIGIN}/home`));
    const set = setCookies(res).filter((c) => c.value !== '');
    expect(set.map((c) => c.name).sort()).toEqual([...FLOW].sort());
    for (const c of set) {
      expect(c.attributes).toMatchObject({ secure: true, path: '/', httponly: true, samesite: 'Lax' });
      expect(c.attributes.domain).toBeUndefined();
    }
    // Each name once: the browser keeps the last, and there is only one.
    expect(new Set(setCookies(res).map((c) => c.name)).size).toBe(setCookies(res).length);
    expect(decodeURIComponent(set.find((c) => c.name === '__Host-authjs.callback-url')?.value ?? '')).toBe(
      `${APP_ORIGIN}/home`,
    );
  });

  it('completing the flow signs in and lands on the callbackUrl', async () => {
    const jar = new CookieJar();
    const start = await api(oneClick('one-click-complete', `${APP_ORIGIN}/dashboard?tab=1`), { jar });
    jar.store(start);
    const callback = await api(await authorize(start), { jar });
    jar.store(callback);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`${APP_ORIGIN}/dashboard?tab=1`);
    expect(sessionOf(jar).userId).toBe(await userIdOf('one-click-complete'));
    const me = await api('/api/me', { jar });
    expect(me.status).toBe(200);
  });

  for (const hostile of [
    'https://evil.test/',
    'https://app.example.test.evil.test/',
    '//evil.test',
    'javascript:alert(1)',
  ]) {
    it(`a callbackUrl outside the policy (${hostile}) lands on APP_URL`, async () => {
      const jar = new CookieJar();
      const start = await api(oneClick(`one-click-hostile-${hostile}`, hostile), { jar });
      expect(start.status).toBe(302);
      jar.store(start);
      const callback = await api(await authorize(start), { jar });
      expect(callback.headers.get('location')).toBe(APP_URL);
    });
  }

  it('without callbackUrl it lands on APP_URL', async () => {
    const jar = new CookieJar();
    const hint = encodeURIComponent(JSON.stringify({ sub: 'one-click-default' }));
    const start = await api(`/auth/signin/google?login_hint=${hint}`, { jar });
    jar.store(start);
    const callback = await api(await authorize(start), { jar });
    expect(callback.headers.get('location')).toBe(APP_URL);
  });

  it('reuses the CSRF cookie the browser already holds, and still starts', async () => {
    const jar = new CookieJar();
    jar.store(await api('/auth/csrf', { jar }));
    const before = jar.get('__Host-authjs.csrf-token');
    const start = await api(oneClick('one-click-csrf-reuse', `${APP_ORIGIN}/`), { jar });
    expect(start.status).toBe(302);
    jar.store(start);
    expect(jar.get('__Host-authjs.csrf-token')).toBe(before);
    const callback = await api(await authorize(start), { jar });
    expect(callback.headers.get('location')).toBe(`${APP_ORIGIN}/`);
  });

  it('passes on only login_hint and prompt: a link cannot change redirect_uri, client_id or scope', async () => {
    const extra = `&prompt=select_account&redirect_uri=${encodeURIComponent('https://evil.test/cb')}&client_id=evil&scope=evil`;
    const res = await api(oneClick('one-click-params', APP_URL, extra));
    const params = new URL(res.headers.get('location') ?? '').searchParams;
    expect(params.get('prompt')).toBe('select_account');
    expect(params.get('redirect_uri')).toBe(`${API}/auth/callback/google`);
    expect(params.get('client_id')).toBe(env.AUTH_GOOGLE_ID);
    expect(params.get('scope')).not.toContain('evil');
  });

  it('a tossed or invalid __Host-authjs.callback-url does not survive: the last one set is the sanitized callbackUrl', async () => {
    const cookie = '__Host-authjs.callback-url=javascript:alert(1)';
    const res = await api(oneClick('one-click-tossed', `${APP_ORIGIN}/x`), { headers: { cookie } });
    expect(res.status).toBe(302);
    const last = setCookies(res)
      .filter((c) => c.name === '__Host-authjs.callback-url')
      .at(-1);
    expect(decodeURIComponent(last?.value ?? '')).toBe(`${APP_ORIGIN}/x`);
  });

  it('login CSRF: an attacker-started flow cannot be finished in the victim browser (state/PKCE are its own cookies)', async () => {
    const attacker = new CookieJar();
    const attackerStart = await api(oneClick('one-click-attacker', APP_URL), { jar: attacker });
    attacker.store(attackerStart);
    const attackerCallback = await authorize(attackerStart);
    // The victim opened the one-click link too (any page can make it), then is sent the attacker's callback.
    const victim = new CookieJar();
    victim.store(await api(oneClick('one-click-victim', APP_URL), { jar: victim }));
    const res = await api(attackerCallback, { jar: victim });
    expect(res.status).toBe(302);
    expect(setCookies(res).some((c) => c.name === SESSION_COOKIE && c.value !== '')).toBe(false);
    const next = new URL(res.headers.get('location') ?? '');
    expect(next.pathname).toBe('/auth/error');
    expect(await codeOf(await api(next.pathname + next.search))).toBe('sign_in_failed');
  });

  it('POST /auth/signin/google still works as before (CSRF token in the form)', async () => {
    const jar = new CookieJar();
    const csrf = await api('/auth/csrf', { jar });
    jar.store(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const res = await api('/auth/signin/google', {
      method: 'POST',
      jar,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken, callbackUrl: APP_URL }),
    });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get('location') ?? '').origin).toBe(env.AUTH_GOOGLE_ISSUER);
  });
});
