import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSitewideVerifier, type SitewideBinding, type SitewideFailure } from '../src/index.ts';
import { type FakeSitewide, startFakeSitewide } from './fake-sitewide.ts';

const AUDIENCE = 'https://billing.example.test';
let fake: FakeSitewide;

beforeAll(async () => {
  fake = await startFakeSitewide();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.refreshCookies.length = 0;
});

const verifier = () => createSitewideVerifier({ issuer: fake.issuer, audience: AUDIENCE });
const cookie = (token: string) => `${fake.cookieName}=${token}`;

describe('the session cookie', () => {
  it('reads the cookie name and keys from sitewide.json once, and verifies locally', async () => {
    const v = verifier();
    const before = fake.hits['/.well-known/sitewide.json'] ?? 0;
    const token = await fake.sign({
      email: 'ada@example.test',
      name: 'Ada',
      picture: 'https://img/ada',
      roles: ['admin'],
    });
    const request = new Request('https://app.example.test/x', { headers: { cookie: `theme=dark; ${cookie(token)}` } });
    const result = await v.verify(request);
    expect(result).toMatchObject({
      ok: true,
      via: 'cookie',
      user: { id: 'user-1', email: 'ada@example.test', name: 'Ada', image: 'https://img/ada', roles: ['admin'] },
      session: { id: 'session-1' },
      setCookie: [],
    });
    expect(result.ok && Date.parse(result.session?.expiresAt ?? '')).toBeGreaterThan(Date.now());
    await v.verify({ cookie: cookie(token) });
    expect(fake.hits['/.well-known/sitewide.json']).toBe(before + 1);
    expect(fake.refreshCookies).toEqual([]);
  });

  it('a token without the optional claims: null fields, no roles', async () => {
    const result = await verifier().verify({ cookie: cookie(await fake.sign()) });
    expect(result).toMatchObject({ ok: true, user: { id: 'user-1', email: null, name: null, image: null, roles: [] } });
  });

  it('expired but genuine: one refresh at Sitewide with only the session cookie, its Set-Cookie to forward', async () => {
    const renewed = `${fake.cookieName}=new; Domain=example.test; Path=/; HttpOnly; Secure; SameSite=Lax`;
    fake.refresh = {
      status: 200,
      body: {
        user: { id: 'user-1', email: 'ada@example.test', name: 'Ada L.', image: null, roles: ['editor'] },
        session: { id: 'session-1', expiresAt: '2030-01-01T00:00:00.000Z' },
      },
      setCookie: [renewed],
    };
    const token = await fake.sign({ name: 'Ada' }, { expiresIn: -30 });
    const result = await verifier().verify({ cookie: `other=1; ${cookie(token)}` });
    expect(result).toEqual({
      ok: true,
      kind: 'user',
      via: 'cookie',
      user: { id: 'user-1', email: 'ada@example.test', name: 'Ada L.', image: null, roles: ['editor'] },
      session: { id: 'session-1', expiresAt: '2030-01-01T00:00:00.000Z' },
      setCookie: [renewed],
    });
    expect(fake.refreshCookies).toEqual([cookie(token)]);
  });

  it('expired and the refresh refused: Sitewide’s code and status, a hint, its clearing Set-Cookie', async () => {
    const clear = `${fake.cookieName}=; Max-Age=0; Domain=example.test; Path=/`;
    fake.refresh = {
      status: 401,
      body: { error: { code: 'session_revoked', message: 'The session was revoked' } },
      setCookie: [clear],
    };
    const result = await verifier().verify({ cookie: cookie(await fake.sign({}, { expiresIn: -30 })) });
    expect(result).toMatchObject({ ok: false, status: 401, code: 'session_revoked', setCookie: [clear] });
    expect((result as SitewideFailure).hint).toMatch(/expired and Sitewide refused to renew it \(session_revoked\)/);
  });

  it('refresh over a service binding when one is given (no HTTP refresh)', async () => {
    const calls: unknown[] = [];
    const binding: SitewideBinding = {
      async refresh(headers) {
        calls.push(headers);
        return {
          ok: true,
          user: { id: 'user-1', email: 'b@example.test', name: null, image: null, roles: [] },
          session: { id: 'session-1', expiresAt: 1_900_000_000 },
          setCookie: ['renewed=1'],
        };
      },
    };
    const token = await fake.sign({}, { expiresIn: -30 });
    const v = createSitewideVerifier({ issuer: fake.issuer, binding });
    const result = await v.verify({ cookie: cookie(token) });
    expect(result).toMatchObject({
      ok: true,
      user: { email: 'b@example.test' },
      session: { expiresAt: new Date(1_900_000_000_000).toISOString() },
      setCookie: ['renewed=1'],
    });
    expect(calls).toEqual([[['cookie', cookie(token)]]]);
    expect(fake.refreshCookies).toEqual([]);
  });

  it('the refresh endpoint missing or unreachable: 503 service_unavailable, never a throw', async () => {
    fake.refresh = { status: 404, body: 'nope' };
    const expired = await fake.sign({}, { expiresIn: -30 });
    expect(await verifier().verify({ cookie: cookie(expired) })).toMatchObject({
      ok: false,
      status: 503,
      code: 'service_unavailable',
    });
    const broken: SitewideBinding = {
      refresh: () => Promise.reject(new Error('binding down')),
    };
    const viaBinding = await createSitewideVerifier({ issuer: fake.issuer, binding: broken }).verify({
      cookie: cookie(expired),
    });
    expect(viaBinding).toMatchObject({ ok: false, status: 503, code: 'service_unavailable', hint: 'binding down' });
  });

  it('a duplicated cookie: refused, neither copy picked, the hint names cookie tossing', async () => {
    const mine = await fake.sign();
    const tossed = await fake.sign({}, { sub: 'attacker' });
    const result = await verifier().verify({ cookie: `${cookie(mine)}; ${cookie(tossed)}` });
    expect(result).toMatchObject({ ok: false, status: 401, code: 'invalid_session' });
    expect((result as SitewideFailure).hint).toMatch(/2 cookies named __Secure-sitewide\.session.*tossed/);
  });

  it('tampered: invalid_session', async () => {
    const [h, p, s] = (await fake.sign()).split('.');
    const claims = JSON.parse(Buffer.from(p ?? '', 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'x' })).toString('base64url')}.${s}`;
    expect(await verifier().verify({ cookie: cookie(forged) })).toMatchObject({ ok: false, code: 'invalid_session' });
  });

  it('an unknown kid: the JWKS is refetched (rotation), and a kid still unknown is named in the hint', async () => {
    const v = verifier();
    await v.verify({ cookie: cookie(await fake.sign()) });
    const fetched = fake.hits['/.well-known/jwks.json'] ?? 0;
    const foreign = await fake.sign({}, { kid: 'staging-key' });
    const refused = await v.verify({ cookie: cookie(foreign) });
    expect(refused).toMatchObject({ ok: false, code: 'invalid_session' });
    expect((refused as SitewideFailure).hint).toMatch(/kid "staging-key" is not in .*jwks\.json.*another Sitewide/);

    const rotated = await fake.sign({}, { unpublished: true });
    await fake.rotate();
    await new Promise((r) => setTimeout(r, 50));
    const accepted = await createSitewideVerifier({ issuer: fake.issuer }).verify({ cookie: cookie(rotated) });
    expect(accepted).toMatchObject({ ok: true });
    expect(fake.hits['/.well-known/jwks.json']).toBeGreaterThan(fetched);
  });

  it('a session token from another issuer or for another audience: hints say which', async () => {
    const other = await verifier().verify({ cookie: cookie(await fake.sign({}, { iss: 'https://api.staging.test' })) });
    expect((other as SitewideFailure).hint).toMatch(/issuer "https:\/\/api\.staging\.test"/);
    const aud = await verifier().verify({ cookie: cookie(await fake.sign({}, { aud: 'https://elsewhere.test' })) });
    expect((aud as SitewideFailure).hint).toMatch(/a token for "https:\/\/elsewhere\.test"/);
  });
});

describe('hints for a missing session cookie', () => {
  const hintFor = async (cookieHeader: string | undefined) => {
    const result = await verifier().verify({ cookie: cookieHeader });
    expect(result).toMatchObject({ ok: false, status: 401, code: 'missing_session' });
    return (result as SitewideFailure).hint;
  };

  it('other cookies arrived: outside COOKIE_DOMAIN, or no credentials: include', async () => {
    expect(await hintFor('theme=dark; _ga=1')).toMatch(
      /this host may be outside COOKIE_DOMAIN \(example\.test\), or the request was made without credentials: 'include'/,
    );
  });

  it('the cookie of another environment (plain name on an https Sitewide)', async () => {
    expect(await hintFor(`sitewide.session=${await fake.sign()}`)).toMatch(
      /a cookie named sitewide\.session arrived.*names its session cookie __Secure-sitewide\.session.*another environment/,
    );
  });

  it('no cookies at all', async () => {
    expect(await hintFor(undefined)).toMatch(/no cookies arrived/);
  });

  it('the __Secure- cookie on a plain-http Sitewide', async () => {
    const plain = await startFakeSitewide('sitewide.session');
    try {
      const result = await createSitewideVerifier({ issuer: plain.issuer }).verify({
        cookie: `__Secure-sitewide.session=${await plain.sign()}`,
      });
      expect((result as SitewideFailure).hint).toMatch(/a cookie named __Secure-sitewide\.session arrived/);
    } finally {
      await plain.close();
    }
  });
});

describe('Bearer access tokens', () => {
  const bearer = async (token: string) => verifier().verify({ authorization: `Bearer ${token}` });

  it('accepted for the configured audience (typ at+jwt); the cookie is then not consulted', async () => {
    const token = await fake.sign({}, { typ: 'at+jwt', aud: AUDIENCE });
    const result = await verifier().verify({ authorization: `Bearer ${token}`, cookie: 'junk' });
    expect(result).toMatchObject({ ok: true, via: 'bearer', user: { id: 'user-1' } });
  });

  it('refused for another audience, with the hint naming both', async () => {
    const result = await bearer(await fake.sign({}, { typ: 'at+jwt', aud: 'https://reports.example.test' }));
    expect(result).toMatchObject({ ok: false, status: 401, code: 'invalid_session' });
    expect((result as SitewideFailure).hint).toMatch(/"https:\/\/reports\.example\.test", not for "https:\/\/billing/);
  });

  it('a session token as Bearer is refused', async () => {
    const result = await bearer(await fake.sign());
    expect((result as SitewideFailure).hint).toMatch(/session token was sent as Bearer/);
  });

  it('expired: session_expired, no refresh', async () => {
    const result = await bearer(await fake.sign({}, { typ: 'at+jwt', aud: AUDIENCE, expiresIn: -5 }));
    expect(result).toMatchObject({ ok: false, code: 'session_expired' });
    expect(fake.refreshCookies).toEqual([]);
  });

  it('without an audience option, Bearer is refused with a hint', async () => {
    const token = await fake.sign({}, { typ: 'at+jwt', aud: AUDIENCE });
    const result = await createSitewideVerifier({ issuer: fake.issuer }).verify({ authorization: `Bearer ${token}` });
    expect((result as SitewideFailure).hint).toMatch(/pass `audience`/);
  });
});

describe('Sitewide unreachable or misnamed', () => {
  let savedFetchCalls = 0;
  afterEach(() => {
    savedFetchCalls = 0;
  });

  it('network failure: 503 service_unavailable, and the next request tries again', async () => {
    const failing: typeof fetch = async (input, init) => {
      savedFetchCalls += 1;
      if (savedFetchCalls === 1) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const v = createSitewideVerifier({ issuer: fake.issuer, fetch: failing });
    const token = await fake.sign();
    expect(await v.verify({ cookie: cookie(token) })).toMatchObject({
      ok: false,
      status: 503,
      code: 'service_unavailable',
    });
    expect(await v.verify({ cookie: cookie(token) })).toMatchObject({ ok: true });
  });

  it('an issuer that differs from what sitewide.json says: 500 misconfigured', async () => {
    const v = createSitewideVerifier({ issuer: fake.issuer.replace('127.0.0.1', 'localhost') });
    const result = await v.verify({ cookie: cookie(await fake.sign()) });
    expect(result).toMatchObject({ ok: false, status: 500, code: 'misconfigured' });
    expect((result as SitewideFailure).hint).toMatch(/names the issuer http:\/\/127\.0\.0\.1/);
  });
});

describe('portability', () => {
  it('the core and the adapters import no node: modules (Workers, edge, Deno, Bun, browsers)', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = new URL('../src/', import.meta.url);
    for (const file of readdirSync(dir)) {
      expect(readFileSync(new URL(file, dir), 'utf8'), file).not.toMatch(/from ['"]node:|require\(/);
    }
  });
});

describe("Sitewide's revocation feed (revocations_uri, polled every revocation_poll seconds)", () => {
  let feedFake: FakeSitewide;
  beforeAll(async () => {
    feedFake = await startFakeSitewide('__Secure-sitewide.session', { revocationPoll: 0.2 });
  });
  afterAll(() => feedFake.close());
  const afterOnePoll = () => new Promise((resolve) => setTimeout(resolve, 250));
  const polls = () => feedFake.hits['/.well-known/sitewide-revocations'] ?? 0;
  const feedCookie = (token: string) => `${feedFake.cookieName}=${token}`;

  it('a revoked session, or a user revoked after the token was signed, is refused within one interval', async () => {
    const v = createSitewideVerifier({ issuer: feedFake.issuer });
    const token = await feedFake.sign({}, { sid: 'feed-stolen', sub: 'feed-user' });
    const other = await feedFake.sign({}, { sid: 'feed-other', sub: 'feed-user-2' });
    expect(await v.verify({ cookie: feedCookie(token) })).toMatchObject({ ok: true });
    feedFake.feed.sessions.push({ id: 'feed-stolen', at: Math.floor(Date.now() / 1000) });
    feedFake.feed.users.push({ id: 'feed-user-2', before: Math.floor(Date.now() / 1000) + 1 });
    await afterOnePoll();
    expect(await v.verify({ cookie: feedCookie(token) })).toMatchObject({
      ok: false,
      status: 401,
      code: 'session_revoked',
    });
    expect(await v.verify({ cookie: feedCookie(other) })).toMatchObject({ ok: false, code: 'session_revoked' });
    const fresh = await feedFake.sign({}, { sid: 'feed-new', sub: 'feed-user' });
    expect(await v.verify({ cookie: feedCookie(fresh) })).toMatchObject({ ok: true });
  });

  it('polls once per interval, not per request; a feed outage keeps the last snapshot and never locks out', async () => {
    const v = createSitewideVerifier({ issuer: feedFake.issuer });
    const token = await feedFake.sign({}, { sid: 'feed-count' });
    const before = polls();
    for (let i = 0; i < 10; i++) expect(await v.verify({ cookie: feedCookie(token) })).toMatchObject({ ok: true });
    await Promise.all(Array.from({ length: 5 }, () => v.verify({ cookie: feedCookie(token) })));
    expect(polls() - before).toBe(1);
    await afterOnePoll();
    await v.verify({ cookie: feedCookie(token) });
    expect(polls() - before).toBe(2);

    feedFake.feed.status = 503;
    await afterOnePoll();
    expect(await v.verify({ cookie: feedCookie(token) })).toMatchObject({ ok: true });
    const stolen = await feedFake.sign({}, { sid: 'feed-stolen' });
    expect(await v.verify({ cookie: feedCookie(stolen) })).toMatchObject({ code: 'session_revoked' });
    feedFake.feed.status = 200;
  });

  it('revocations: false does not poll', async () => {
    const v = createSitewideVerifier({ issuer: feedFake.issuer, revocations: false });
    const before = polls();
    const stolen = await feedFake.sign({}, { sid: 'feed-stolen' });
    expect(await v.verify({ cookie: feedCookie(stolen) })).toMatchObject({ ok: true });
    expect(polls()).toBe(before);
  });
});
