// Sign-out by link: GET /auth/signout is a page with one button; only its POST (CSRF token + Origin) signs out.
import { describe, expect, it } from 'vitest';
import { CookieJar, setCookies } from './support/cookies';
import { rows } from './support/db';
import { APP_ORIGIN, APP_URL, BYE, codeOf, FORM } from './support/http';
import { expectTargetsOn, readPage } from './support/pages';
import { apiWith } from './support/policy';
import { sessionOf, signIn } from './support/sign-in';
import { API, api, SESSION_COOKIE } from './support/worker';

const HTML = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const CSRF_COOKIE = '__Host-authjs.csrf-token';
const live = async (sid: string) => (await rows('sessions', 'id = ? AND revoked_at IS NULL', sid)).length === 1;
const signOutPage = (jar: CookieJar, callbackUrl: string) =>
  api(`/auth/signout?callbackUrl=${encodeURIComponent(callbackUrl)}`, { jar, headers: HTML });

describe('GET /auth/signout (a browser with a session)', () => {
  it('"Sign out of SITE?": one button, a form POSTing the CSRF token and the callbackUrl to /auth/signout', async () => {
    const { jar: signedIn } = await signIn({ sub: 'page-reader' });
    // A browser holding the session cookie only (no CSRF cookie yet).
    const jar = new CookieJar();
    jar.entries.set('session', { name: SESSION_COOKIE, value: sessionOf(signedIn).token });
    const res = await signOutPage(jar, BYE);
    const page = await readPage(res, 200, `'self' ${APP_ORIGIN}`);
    expect(page).toMatchObject({ title: 'Sign out of api.example.test?', site: 'api.example.test', h1: 'Sign out?' });
    expect(page.actions).toEqual(['/auth/signout']);
    expect(page.html).toContain('<form class="actions" method="post" action="/auth/signout">');
    expect(page.html).toContain('<button class="button" type="submit">Sign out</button>');
    expect(page.hidden).toEqual({ csrfToken: expect.stringMatching(/^[0-9a-f]{64}$/), callbackUrl: BYE });
    // "Stay signed in" goes back to the callback: the one link that leaves the API.
    expectTargetsOn(page, API, [BYE]);
    expect(page.hrefs).toEqual([BYE]);
    // The page set Auth.js's CSRF cookie that goes with the token, and touched no session cookie.
    expect(setCookies(res).map((c) => c.name)).toEqual([CSRF_COOKIE]);
    expect(await live(sessionOf(jar).sid)).toBe(true);
  });

  it('the button works: POST → session revoked in D1, cookie cleared with its Domain and Path, lands on the callback', async () => {
    const { jar } = await signIn({ sub: 'page-leaver' });
    const { sid } = sessionOf(jar);
    const pageRes = await signOutPage(jar, BYE);
    jar.store(pageRes);
    const page = await readPage(pageRes, 200, `'self' ${APP_ORIGIN}`);
    // What the browser sends for the form: our page's Origin (its referrer policy is same-origin).
    const res = await api('/auth/signout', {
      method: 'POST',
      jar,
      headers: { ...FORM, origin: API },
      body: new URLSearchParams(page.hidden),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(BYE);
    const [row] = await rows<{ revoked_at: number | null }>('sessions', 'id = ?', sid);
    expect(row?.revoked_at).toBeTypeOf('number');
    expect(await rows('auth_events', "session_id = ? AND kind = 'sign_out'", sid)).toHaveLength(1);
    const clear = setCookies(res).find((c) => c.name === SESSION_COOKIE && c.attributes.domain === 'example.test');
    expect(clear).toMatchObject({ value: '', attributes: { path: '/', 'max-age': '0' } });
  });

  it('a callbackUrl on the API itself: form-action only self', async () => {
    const { jar } = await signIn({ sub: 'page-api-callback' });
    const page = await readPage(await signOutPage(jar, '/api/me'), 200, "'self'");
    expect(page.hidden.callbackUrl).toBe(`${API}/api/me`);
  });

  for (const hostile of [
    'https://evil.test/',
    '//evil.test/x',
    'https://app.example.test.evil.test/',
    'javascript:alert(1)',
    '"><script>alert(1)</script>',
    '%ff',
  ]) {
    it(`a callbackUrl outside the policy (${hostile}) becomes APP_URL in the form, the link and the CSP`, async () => {
      const { jar } = await signIn({ sub: `page-hostile-${hostile.length}` });
      const page = await readPage(await signOutPage(jar, hostile), 200, `'self' ${APP_ORIGIN}`);
      expect(page.hidden.callbackUrl).toBe(APP_URL);
      expect(page.hrefs).toEqual([APP_URL]);
      expect(page.html).not.toContain('evil');
      expect(page.html).not.toContain('<script');
    });
  }

  it('SITE_NAME is escaped in the title, the site line and the sentence', async () => {
    const named = apiWith({ SITE_NAME: '<img src=x onerror=alert(1)> & "Co"' } as Record<string, string>);
    const { jar } = await signIn({ sub: 'page-site-name' });
    const page = await readPage(await named('/auth/signout', { jar, headers: HTML }), 200, `'self' ${APP_ORIGIN}`);
    expect(page.title).toBe('Sign out of <img src=x onerror=alert(1)> & "Co"?');
    expect(page.site).toBe('<img src=x onerror=alert(1)> & "Co"');
    expect(page.html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Co&quot;');
  });
});

describe('GET /auth/signout (no session cookie)', () => {
  it('"You are signed out", a link to the callbackUrl, no form', async () => {
    const page = await readPage(
      await api(`/auth/signout?callbackUrl=${encodeURIComponent(BYE)}`, { headers: HTML }),
      200,
    );
    expect(page).toMatchObject({ title: 'Signed out of api.example.test', h1: 'You are signed out' });
    expect(page.actions).toEqual([]);
    expect(page.hrefs).toEqual([BYE]);
  });

  it('without callbackUrl the link is APP_URL', async () => {
    const page = await readPage(await api('/auth/signout', { headers: HTML }), 200);
    expect(page.hrefs).toEqual([APP_URL]);
  });
});

describe('a GET never signs out', () => {
  it('whatever it carries: Accept, HEAD, a valid CSRF pair in the query, hostile Origins → the session stays live', async () => {
    const { jar } = await signIn({ sub: 'get-never' });
    const { sid } = sessionOf(jar);
    const csrf = await api('/auth/csrf', { jar });
    jar.store(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const query = `?${new URLSearchParams({ csrfToken, callbackUrl: BYE })}`;
    const attempts: Array<[string, RequestInit]> = [
      [query, { headers: HTML }],
      [query, { headers: { ...HTML, origin: 'https://evil.example.test' } }],
      [query, { headers: { accept: 'application/json' } }],
      [query, { headers: { accept: '*/*', origin: API } }],
      [query, { method: 'HEAD', headers: HTML }],
      ['/', { headers: HTML }],
    ];
    for (const [suffix, init] of attempts) {
      const res = await api(`/auth/signout${suffix}`, { ...init, jar });
      expect([200, 405, 404]).toContain(res.status);
      expect(setCookies(res).filter((c) => c.name.startsWith(SESSION_COOKIE))).toEqual([]);
    }
    expect(await live(sid)).toBe(true);
    expect(await rows('auth_events', "session_id = ? AND kind = 'sign_out'", sid)).toEqual([]);
  });

  it('an API caller (no text/html in Accept) keeps the JSON 405, Allow: POST', async () => {
    const res = await api('/auth/signout', { headers: { accept: 'application/json' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await codeOf(res)).toBe('method_not_allowed');
  });
});

describe('POST /auth/signout: the CSRF token and the Origin', () => {
  /** A signed-in jar holding a genuine CSRF pair, and the form a page of `origin` would post. */
  async function attempt(sub: string, headers: Record<string, string>, withToken = true, path = '/auth/signout') {
    const { jar } = await signIn({ sub });
    const csrf = await api('/auth/csrf', { jar });
    jar.store(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const body = new URLSearchParams({ ...(withToken ? { csrfToken } : {}), callbackUrl: BYE });
    const res = await api(path, { method: 'POST', jar, headers: { ...FORM, ...headers }, body });
    return { res, sid: sessionOf(jar).sid };
  }

  for (const [label, headers] of [
    ['a hostile sibling', { origin: 'https://evil.example.test' }],
    ['another site', { origin: 'https://evil.test' }],
    ['a sandboxed or no-referrer page (Origin: null)', { origin: 'null' }],
    ['no Origin at all', {}],
  ] as const) {
    it(`with the genuine CSRF pair, from ${label}: 403 csrf_rejected, nothing revoked, no cookie cleared`, async () => {
      const { res, sid } = await attempt(`origin-${label.length}`, headers);
      expect(res.status).toBe(403);
      expect(await codeOf(res)).toBe('csrf_rejected');
      expect(setCookies(res).filter((c) => c.name.startsWith(SESSION_COOKIE))).toEqual([]);
      expect(await live(sid)).toBe(true);
    });
  }

  it('a hostile sibling posting to /auth/signout/ (a trailing slash Auth.js reads as sign-out): refused too', async () => {
    const { res, sid } = await attempt(
      'trailing-slash-evil',
      { origin: 'https://evil.example.test' },
      true,
      '/auth/signout/',
    );
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('csrf_rejected');
    expect(await live(sid)).toBe(true);
  });

  it('a hostile sibling without the CSRF token: refused, nothing revoked', async () => {
    const { res, sid } = await attempt('no-token-evil', { origin: 'https://evil.example.test' }, false);
    expect(res.status).toBe(403);
    expect(await live(sid)).toBe(true);
  });

  for (const origin of [API, APP_ORIGIN]) {
    it(`from ${origin} without the CSRF token: Auth.js refuses (MissingCSRF), nothing revoked`, async () => {
      const { res, sid } = await attempt(`no-token-${origin.length}`, { origin }, false);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toContain('error=MissingCSRF');
      expect(await live(sid)).toBe(true);
    });

    it(`from ${origin} with the CSRF pair: signed out`, async () => {
      const { res, sid } = await attempt(`ok-${origin.length}`, { origin });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(BYE);
      expect(await live(sid)).toBe(false);
    });
  }
});
