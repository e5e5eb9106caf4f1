// Issue: "A hostile sibling subdomain must not be able to swap, keep or block sessions".
// Every test is the attacker on evil.example.test: it can set cookies for Domain=example.test
// (and unprefixed or __Secure- names), never __Host- ones, and can make the victim open links.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TYP, SESSION_TOKEN_TYP, signToken, type TokenTyp } from '../src/session/token';
import { CookieJar, type SetCookie, setCookies } from './support/cookies';
import { rows } from './support/db';
import { APP_ORIGIN, APP_URL, BYE, codeOf, FORM, FROM_APP, json } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint, serverKeys, signRaw } from './support/tokens';
import { API, api, SESSION_COOKIE } from './support/worker';

const now = () => Math.floor(Date.now() / 1000);

interface Person {
  jar: CookieJar;
  token: string;
  userId: string;
  sid: string;
}
async function person(sub: string): Promise<Person> {
  const { jar } = await signIn({ sub });
  return { jar, ...sessionOf(jar) };
}

const session = (token: string, name = SESSION_COOKIE) => `${name}=${token}`;
const me = (cookie: string) => api('/api/me', { headers: { cookie } });
const setsSession = (res: Response) => setCookies(res).some((c) => c.name.startsWith(SESSION_COOKIE) && c.value !== '');
const slot = (c: SetCookie) =>
  `${typeof c.attributes.domain === 'string' ? c.attributes.domain.replace(/^\./, '').toLowerCase() : 'host-only'} ${c.attributes.path ?? ''}`;
/** "domain path" of every Max-Age=0 clear of `name`. */
const clearsOf = (res: Response, name: string) =>
  setCookies(res)
    .filter((c) => c.name === name && c.value === '' && c.attributes['max-age'] === '0')
    .map(slot);
const slots = (domains: string[], paths: string[]) => domains.flatMap((d) => paths.map((p) => `${d} ${p}`));

/** A CSRF pair from GET /auth/csrf: the `__Host-authjs.csrf-token` cookie and the form token. */
async function csrfPair(): Promise<{ cookie: string; token: string }> {
  const res = await api('/auth/csrf');
  const c = setCookies(res).find((s) => s.name === '__Host-authjs.csrf-token');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: `__Host-authjs.csrf-token=${c?.value}`, token: csrfToken };
}

/** POST /auth/signout with a hand-built Cookie header and a raw form body, from the app's page. */
function signOut(cookie: string, body: string, query = '') {
  return api(`/auth/signout${query}`, { method: 'POST', headers: { ...FORM, ...FROM_APP, cookie }, body });
}

/** The attacker's own sign-in up to the provider: csrf, POST /auth/signin/google (raw form callbackUrl). */
async function startSignIn(jar: CookieJar, sub: string, rawCallbackUrl = encodeURIComponent(`${APP_URL}home`)) {
  const csrf = await api('/auth/csrf', { jar });
  jar.store(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const start = await api(`/auth/signin/google?login_hint=${encodeURIComponent(JSON.stringify({ sub }))}`, {
    method: 'POST',
    jar,
    headers: FORM,
    body: `csrfToken=${encodeURIComponent(csrfToken)}&callbackUrl=${rawCallbackUrl}`,
  });
  jar.store(start);
  return { csrf, start };
}

/** Follows the provider's authorize redirect; returns the callback path the browser would open. */
async function authorize(start: Response): Promise<string> {
  const res = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  const back = new URL(res.headers.get('location') ?? '');
  return back.pathname + back.search;
}

async function expectSignInFailed(res: Response) {
  expect(res.status).toBe(302);
  const next = new URL(res.headers.get('location') ?? '', API);
  expect(next.pathname).toBe('/auth/error');
  const error = await api(next.pathname + next.search);
  expect(error.status).toBe(400);
  expect(await codeOf(error)).toBe('sign_in_failed');
}

describe('1. session swap: two copies of the session cookie', () => {
  for (const [method, path] of [
    ['GET', '/auth/session'],
    ['POST', '/auth/session'],
  ] as const) {
    it(`1. ${method} ${path} is not served: 404 not_found, with duplicates or a single genuine cookie`, async () => {
      const [a, b] = [await person('swap-a'), await person('swap-b')];
      for (const cookie of [`${session(b.token)}; ${session(a.token)}`, session(a.token)]) {
        const res = await api(path, { method, headers: { cookie } });
        expect(setsSession(res)).toBe(false);
        expect(await json(res)).toMatchObject({
          status: 404,
          body: { error: { code: 'not_found' } },
        });
      }
    });
  }

  it('1. GET /api/me: both orders → 401 invalid_session; A alone → A', async () => {
    const [a, b] = [await person('me-a'), await person('me-b')];
    for (const cookie of [`${session(b.token)}; ${session(a.token)}`, `${session(a.token)}; ${session(b.token)}`]) {
      const res = await me(cookie);
      expect(res.status).toBe(401);
      expect(await codeOf(res)).toBe('invalid_session');
    }
    const alone = await me(session(a.token));
    expect(alone.status).toBe(200);
    expect(((await alone.json()) as { id: string }).id).toBe(a.userId);
  });

  it('1. the duplicate 401 clears every copy but the genuine slot (never Domain=example.test; Path=/)', async () => {
    const [a, b] = [await person('clear-a'), await person('clear-b')];
    const clears = clearsOf(await me(`${session(b.token)}; ${session(a.token)}`), SESSION_COOKIE);
    const expected = ['host-only /', ...slots(['example.test', 'host-only'], ['/api', '/api/', '/api/me'])];
    expect(clears).toEqual(expect.arrayContaining(expected));
    expect(clears).not.toContain('example.test /');
  });
});

describe('2. login CSRF with flow cookies tossed from a sibling', () => {
  it('2. flow cookies are __Host-: Secure, Path=/, no Domain', async () => {
    const { csrf, start } = await startSignIn(new CookieJar(), 'flow-names');
    // Cookies set with a value (clears of legacy names are fine): only the five __Host- ones.
    const flow = [...setCookies(csrf), ...setCookies(start)].filter((c) => c.name.includes('authjs.') && c.value);
    const names = ['state', 'pkce.code_verifier', 'nonce', 'callback-url', 'csrf-token'].map(
      (n) => `__Host-authjs.${n}`,
    );
    expect([...new Set(flow.map((c) => c.name))].sort()).toEqual([...names].sort());
    for (const c of flow) {
      expect(c.attributes).toMatchObject({ secure: true, path: '/' });
      expect(c.attributes.domain).toBeUndefined();
    }
  });

  for (const prefix of ['__Secure-', '']) {
    it(`2. tossed as ${prefix || 'unprefixed '}authjs.*: no session, 302 to /auth/error → 400, victim still V`, async () => {
      const victim = await person(`csrf-victim-${prefix}`);
      const attacker = new CookieJar();
      const callbackPath = await authorize((await startSignIn(attacker, `csrf-attacker-${prefix}`)).start);
      const tossed = ['state', 'pkce.code_verifier', 'nonce']
        .map(
          (n) =>
            `${prefix}authjs.${n}=${[...attacker.entries.values()].find((e) => e.name.endsWith(`authjs.${n}`))?.value}`,
        )
        .join('; ');
      const res = await api(callbackPath, { headers: { cookie: `${victim.jar.header()}; ${tossed}` } });
      expect(setsSession(res)).toBe(false);
      victim.jar.store(res);
      await expectSignInFailed(res);
      const who = await api('/api/me', { jar: victim.jar });
      expect(((await who.json()) as { id?: string }).id).toBe(victim.userId);
    });
  }

  it('2. GET /auth/error with Accept: text/html → 400 HTML page linking to /auth/signin', async () => {
    const res = await api('/auth/error?error=Configuration', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toMatch(/href="[^"]*\/auth\/signin[^"]*"/);
  });
});

describe('3. sign-out revokes every genuine session it carries', () => {
  const variants: Array<[string, (v: Person, t: Person) => string, boolean]> = [
    ['T then V', (v, t) => `${session(t.token)}; ${session(v.token)}`, true],
    ['V then T', (v, t) => `${session(v.token)}; ${session(t.token)}`, true],
    ['chunk .0=T then V', (v, t) => `${session(t.token, `${SESSION_COOKIE}.0`)}; ${session(v.token)}`, false],
  ];
  for (const [name, cookieOf, duplicated] of variants) {
    it(`3. ${name}: 302 to callbackUrl, V and T revoked with sign_out rows, every copy cleared`, async () => {
      const [v, t] = [await person(`out-v-${name}`), await person(`out-t-${name}`)];
      const csrf = await csrfPair();
      const body = new URLSearchParams({ csrfToken: csrf.token, callbackUrl: BYE }).toString();
      const res = await signOut(`${cookieOf(v, t)}; ${csrf.cookie}`, body);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(BYE);
      for (const p of [v, t]) {
        expect(await rows('sessions', 'id = ? AND revoked_at IS NOT NULL', p.sid)).toHaveLength(1);
        expect(await rows('auth_events', "session_id = ? AND kind = 'sign_out'", p.sid)).toHaveLength(1);
      }
      const paths = duplicated ? ['/', '/auth', '/auth/', '/auth/signout'] : ['/'];
      expect(clearsOf(res, SESSION_COOKIE)).toEqual(
        expect.arrayContaining(slots(['example.test', 'host-only'], paths)),
      );
      if (!duplicated) expect(clearsOf(res, `${SESSION_COOKIE}.0`).length).toBeGreaterThan(0);

      const stolen = await mint({ sub: v.userId, sid: v.sid, now: new Date(Date.now() - 11 * 60_000) });
      const after = await me(session(stolen));
      expect(after.status).toBe(401);
      expect(await codeOf(after)).toBe('session_revoked');
    });
  }
});

describe('4. a tossed callback-url cannot lock a browser out', () => {
  const names = ['__Secure-authjs.callback-url', 'authjs.callback-url', '__Host-authjs.callback-url'];
  for (const name of names) {
    for (const value of ['foo', 'javascript:alert(1)', 'data:text/html,x']) {
      const tossed = `${name}=${value}`;
      it(`4. ${tossed}: csrf 200 JSON, signin 200 HTML, signout 302 to an allowed place`, async () => {
        const csrf = await api('/auth/csrf', { headers: { cookie: tossed } });
        expect(csrf.status).toBe(200);
        expect(((await csrf.json()) as { csrfToken?: string }).csrfToken).toBeTruthy();
        const page = await api('/auth/signin', { headers: { cookie: tossed } });
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toContain('text/html');
        const pair = await csrfPair();
        const body = new URLSearchParams({ csrfToken: pair.token, callbackUrl: BYE }).toString();
        const out = await signOut(`${tossed}; ${pair.cookie}`, body);
        expect(out.status).toBe(302);
        expect([APP_URL, BYE]).toContain(out.headers.get('location'));
      });
      if (name.startsWith('__Host-')) {
        it(`4. an invalid ${tossed} is replaced by an allowed URL or cleared by csrf, signin, signout and /auth/providers`, async () => {
          const pair = await csrfPair();
          const responses = [
            await api('/auth/csrf', { headers: { cookie: tossed } }),
            await api('/auth/signin', { headers: { cookie: tossed } }),
            await signOut(`${tossed}; ${pair.cookie}`, `csrfToken=${encodeURIComponent(pair.token)}`),
            await api('/auth/providers', { headers: { cookie: tossed } }),
          ];
          for (const res of responses) {
            // The browser keeps the last Set-Cookie of a name: it must be a clear or an allowed URL.
            const last = setCookies(res)
              .filter((c) => c.name === name)
              .at(-1);
            if (last?.attributes['max-age'] !== '0') {
              expect([API, `${API}/`, APP_URL, BYE].map(encodeURIComponent)).toContain(last?.value);
            }
            expect(last).toBeDefined();
          }
        });
      }
    }
  }

  it('4. __Host-authjs.callback-url with a bad port on the callback: 302 to /auth/error, not 5xx', async () => {
    const cookie = '__Host-authjs.callback-url=https://app.example.test:9443.evil.test/';
    await expectSignInFailed(await api('/auth/callback/google?code=x&state=y', { headers: { cookie } }));
  });
});

describe('5. bad callbackUrl links never 500', () => {
  for (const raw of ['%ff%fe', '%', 'foo', 'javascript:alert(1)']) {
    const query = `?callbackUrl=${raw}`;
    it(`5. ${query}: signin 200, csrf 200, signout 302 to APP_URL`, async () => {
      expect((await api(`/auth/signin${query}`)).status).toBe(200);
      expect((await api(`/auth/csrf${query}`)).status).toBe(200);
      const pair = await csrfPair();
      const out = await signOut(pair.cookie, `csrfToken=${encodeURIComponent(pair.token)}`, query);
      expect(out.status).toBe(302);
      expect(out.headers.get('location')).toBe(APP_URL);
    });

    it(`5. form callbackUrl=${raw} on POST /auth/signin/google: sign-in starts and lands on APP_URL`, async () => {
      const jar = new CookieJar();
      const { start } = await startSignIn(jar, `bad-link-${raw}`, raw);
      expect(start.status).toBe(302);
      expect(new URL(start.headers.get('location') ?? '', API).origin).toBe(env.AUTH_GOOGLE_ISSUER);
      const callback = await api(await authorize(start), { jar });
      expect(callback.status).toBe(302);
      expect(callback.headers.get('location')).toBe(APP_URL);
    });
  }
});

describe('6. /auth/diagnose survives extreme numeric claims', () => {
  const extremes: Array<[string, Record<string, unknown>]> = [
    ['exp 1e308', { exp: 1e308 }],
    ['exp 2**53+1', { exp: 2 ** 53 + 1 }],
    ['exp -1e308', { exp: -1e308 }],
    ['iat 1e308', { iat: 1e308 }],
    ['iat 2**53+1', { iat: 2 ** 53 + 1 }],
    ['iat -1e308', { iat: -1e308 }],
  ];
  for (const [name, claims] of extremes) {
    for (const header of [{}, { typ: SESSION_TOKEN_TYP }]) {
      it(`6. ${name}${'typ' in header ? ' (typ session)' : ''}: 200 JSON, authenticated false`, async () => {
        const cookie = session(await signRaw(header, claims));
        const res = await api('/auth/diagnose', { headers: { cookie } });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { authenticated: boolean }).authenticated).toBe(false);
      });
    }
  }
});

describe('7. token lifetime cap (exp - iat ≤ TTL + 60 s, iat not in the future)', () => {
  const TEN_YEARS = 10 * 365 * 86_400;
  async function token(typ: TokenTyp, p: Person, iat: number, exp: number) {
    return signToken(typ, { sub: p.userId, sid: p.sid, iat, exp, ttl: 0 }, await serverKeys(), {
      issuer: API,
      audience: API,
    });
  }
  const send = (typ: TokenTyp, t: string) =>
    typ === SESSION_TOKEN_TYP ? me(session(t)) : api('/api/me', { headers: { authorization: `Bearer ${t}` } });

  for (const [typ, ttl] of [
    [SESSION_TOKEN_TYP, 600],
    [ACCESS_TOKEN_TYP, 300],
  ] as const) {
    const cases: Array<[string, (n: number) => [number, number], number]> = [
      [`exp - iat = ${ttl}`, (n) => [n, n + ttl], 200],
      [`exp - iat = ${ttl + 61}`, (n) => [n, n + ttl + 61], 401],
      ['exp - iat = 10 years', (n) => [n, n + TEN_YEARS], 401],
      ['iat 120 s in the future', (n) => [n + 120, n + 120 + ttl], 401],
    ];
    for (const [name, times, status] of cases) {
      it(`7. ${typ}, ${name}: ${status}${status === 401 ? ' invalid_session' : ''}`, async () => {
        const [iat, exp] = times(now());
        const res = await send(typ, await token(typ, await person(`cap-${typ}-${name}`), iat, exp));
        expect(res.status).toBe(status);
        if (status === 401) {
          expect(await codeOf(res)).toBe('invalid_session');
          if (typ === ACCESS_TOKEN_TYP) expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
        }
      });
    }
  }
});

describe('8. CORS preflight', () => {
  const preflight = (origin: string) =>
    api('/api/me', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'content-type' },
    });
  for (const origin of ['https://evil.example.test', 'https://evil.test', 'null']) {
    it(`8. from ${origin}: no access-control-* header at all`, async () => {
      const res = await preflight(origin);
      expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
    });
  }
  it('8. from https://app.example.test: allowed with credentials', async () => {
    const res = await preflight(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(res.headers.get('access-control-allow-credentials')).toBe('true');
  });
});

describe('a flow cookie Auth.js cannot use is ignored and cleared', () => {
  it('a duplicated __Host-authjs.state and an oversized nonce: the callback fails cleanly and clears both', async () => {
    const jar = new CookieJar();
    const callbackPath = await authorize((await startSignIn(jar, 'flow-dup')).start);
    const state = jar.get('__Host-authjs.state');
    const cookie = `${jar.header()}; __Host-authjs.state=${state}; __Host-authjs.nonce=${'n'.repeat(5000)}`;
    const res = await api(callbackPath, { headers: { cookie } });
    expect(setsSession(res)).toBe(false);
    expect(clearsOf(res, '__Host-authjs.state')).toEqual(['host-only /']);
    expect(clearsOf(res, '__Host-authjs.nonce')).toEqual(['host-only /']);
    await expectSignInFailed(res);
  });

  it('a tossed chunk-named session cookie is cleared when the real sign-in sets ours', async () => {
    const { callback } = await signIn(
      { sub: 'signs-in-despite-toss' },
      { jar: new CookieJar().store(new Response(null, { headers: { 'set-cookie': `${SESSION_COOKIE}.0=x` } })) },
    );
    expect(callback.status).toBe(302);
    const ours = setCookies(callback).filter((c) => c.name === SESSION_COOKIE && c.value !== '');
    expect(ours.map(slot)).toEqual(['example.test /']);
    // The chunk name is cleared everywhere it could live; our slot is never cleared.
    expect(clearsOf(callback, `${SESSION_COOKIE}.0`)).toContain('example.test /auth/callback');
    expect(clearsOf(callback, SESSION_COOKIE)).not.toContain('example.test /');
  });
});

it('a raw UTF-8 session cookie value (as a browser sends bytes) is refused cleanly on /api and /auth', async () => {
  const cookie = `${SESSION_COOKIE}=𒔤é; __Secure-authjs.callback-url=é`;
  const me = await api('/api/me', { headers: { cookie } });
  expect(me.status).toBe(401);
  expect(await codeOf(me)).toBe('invalid_session');
  expect((await api('/auth/csrf', { headers: { cookie } })).status).toBe(200);
});
