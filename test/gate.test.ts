// The gate (src/gate): an app the site did not write, behind the login. Requests go to the Worker
// with a gated host's URL; the gated apps forward to a real loopback origin that echoes what it
// received (scripts/echo-origin.ts), so each test sees exactly what got past the gate.
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import worker from '../src/index';
import { setCookies } from './support/cookies';
import { run } from './support/db';
import { ACCESS, ECHO_ORIGIN, echoOf, GRAFANA, gate, gateWith, NAVIGATION, receivedHeader, WIKI } from './support/gate';
import { codeOf } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint, serverKeys } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;
const grant = (userId: string, role: string) =>
  run('INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)', userId, role, Date.now());

const profile = { email: 'ada@example.test', name: 'Ada Lovelace', picture: null };

describe('a signed-in user reaches the app, and the app learns who it is', () => {
  it('forwards method, path and query with the Sitewide-* headers and a verifiable assertion', async () => {
    const { jar } = await signIn({ sub: 'gate-pass', email: 'ada@example.test', name: 'Ada Lovelace' });
    const { userId } = sessionOf(jar);
    const res = await gate(`${WIKI}/pages/Home?rev=3`, { jar });
    const echo = await echoOf(res);
    expect(echo.method).toBe('GET');
    expect(echo.path).toBe('/pages/Home?rev=3');
    expect(receivedHeader(echo, 'Sitewide-User-Id')).toEqual([userId]);
    expect(receivedHeader(echo, 'Sitewide-User-Email')).toEqual(['ada@example.test']);
    expect(receivedHeader(echo, 'Sitewide-User-Name')).toEqual(['Ada Lovelace']);
    expect(receivedHeader(echo, 'Sitewide-User-Roles')).toEqual(['']);
    expect(receivedHeader(echo, 'X-Forwarded-Host')).toEqual(['wiki.example.test']);
    // The origin is dialled by its own name (a Tunnel routes by it); the public host rides in X-Forwarded-Host.
    expect(receivedHeader(echo, 'host')).toEqual([new URL(ECHO_ORIGIN).host]);

    const [assertion] = receivedHeader(echo, 'Sitewide-Jwt-Assertion');
    const jwks = createLocalJWKSet({ keys: [...(await serverKeys()).publicJwks] });
    const { payload, protectedHeader } = await jwtVerify(assertion as string, jwks, {
      issuer: API,
      audience: WIKI,
      typ: 'sitewide-assertion+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.kid).toBe('test-key-1');
    expect(payload).toMatchObject({ sub: userId, email: 'ada@example.test', name: 'Ada Lovelace', roles: [] });
    expect((payload.exp as number) - (payload.iat as number)).toBe(60);
    // The origin's answer comes back as it is: the gate adds nothing to a plain pass.
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('never forwards the session cookie; every other cookie goes on as sent', async () => {
    const { jar } = await signIn({ sub: 'gate-cookie' });
    const { token } = sessionOf(jar);
    const cookie = `theme=dark; ${SESSION_COOKIE}=${token}; ${SESSION_COOKIE}.0=chunk; grafana_session=abc`;
    const echo = await echoOf(await gate(`${WIKI}/`, { headers: { cookie } }));
    expect(receivedHeader(echo, 'cookie')).toEqual(['theme=dark; grafana_session=abc']);
    expect(JSON.stringify(echo)).not.toContain(token);

    const only = await echoOf(await gate(`${WIKI}/`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } }));
    expect(receivedHeader(only, 'cookie')).toEqual([]);
  });

  it('roles ride in the headers, and the cloudflare-access names go to an app that trusts Access', async () => {
    const { jar } = await signIn({ sub: 'gate-access', email: 'grace@example.test' });
    const { userId } = sessionOf(jar);
    await grant(userId, 'editor');
    await grant(userId, 'admin');
    const renewed = await signIn({ sub: 'gate-access', email: 'grace@example.test' });
    const wiki = await echoOf(await gate(`${WIKI}/`, { jar: renewed.jar }));
    expect(receivedHeader(wiki, 'Sitewide-User-Roles')).toEqual(['admin,editor']);

    const access = await echoOf(await gate(`${ACCESS}/`, { jar: renewed.jar }));
    expect(receivedHeader(access, 'Cf-Access-Authenticated-User-Email')).toEqual(['grace@example.test']);
    const [jwt] = receivedHeader(access, 'Cf-Access-Jwt-Assertion');
    expect(decodeJwt(jwt as string)).toMatchObject({ aud: ACCESS, iss: API, email: 'grace@example.test' });
    expect(receivedHeader(access, 'Sitewide-User-Email')).toEqual([]);
  });

  it('encodes a name that is not plain ASCII (percent-encoded UTF-8), never a raw CR or LF', async () => {
    for (const [name, sent] of [
      ['José Ñúñez', 'Jos%C3%A9%20%C3%91%C3%BA%C3%B1ez'],
      ['Ada\r\nSitewide-User-Roles: admin', 'Ada%0D%0ASitewide-User-Roles%3A%20admin'],
      ['100% Ada', '100%25%20Ada'],
      [' Ada ', '%20Ada%20'],
      ['Ada Lovelace', 'Ada Lovelace'],
    ] as const) {
      const token = await mint({ sub: 'gate-name', sid: `s-${sent.length}`, profile: { ...profile, name } });
      const echo = await echoOf(await gate(`${WIKI}/`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } }));
      expect(receivedHeader(echo, 'Sitewide-User-Name')).toEqual([sent]);
      expect(decodeURIComponent(sent)).toBe(name);
      expect(receivedHeader(echo, 'Sitewide-User-Roles')).toEqual(['']);
    }
  });

  it('reuses an assertion for the same token within its minute, and signs one per app', async () => {
    const token = await mint({ sub: 'gate-reuse', sid: 'reuse-1', profile });
    const cookie = `${SESSION_COOKIE}=${token}`;
    const a = receivedHeader(await echoOf(await gate(`${WIKI}/a`, { headers: { cookie } })), 'Sitewide-Jwt-Assertion');
    const b = receivedHeader(await echoOf(await gate(`${WIKI}/b`, { headers: { cookie } })), 'Sitewide-Jwt-Assertion');
    expect(a).toEqual(b);
    const other = receivedHeader(
      await echoOf(await gate(`${ACCESS}/`, { headers: { cookie } })),
      'Cf-Access-Jwt-Assertion',
    );
    expect(decodeJwt(other[0] as string).aud).toBe(ACCESS);
  });
});

describe('identity headers from the client never reach the origin', () => {
  const spoofed: Array<[string, string]> = [
    ['Sitewide-User-Email', 'mallory@example.test'],
    ['SITEWIDE-USER-ID', 'mallory'],
    ['sitewide_user_roles', 'admin'],
    ['Sitewide_User-Name', 'Mallory'],
    ['Sitewide-Jwt-Assertion', 'forged'],
    ['Cf-Access-Authenticated-User-Email', 'mallory@example.test'],
    ['cf_access_jwt_assertion', 'forged'],
    ['X-Forwarded-User', 'mallory'],
    ['X_Forwarded_Email', 'mallory@example.test'],
    ['X-Forwarded-Preferred-Username', 'mallory'],
    ['X-Forwarded-Groups', 'admins'],
    ['X-Auth-Request-Email', 'mallory@example.test'],
    ['Remote-User', 'mallory'],
    ['remote_email', 'mallory@example.test'],
    ['Remote-Groups', 'admins'],
    ['X-Remote-User', 'mallory'],
    ['X-WEBAUTH-USER', 'mallory'],
    ['X-Pomerium-Claim-Email', 'mallory@example.test'],
    ['X-Goog-Authenticated-User-Email', 'accounts.google.com:mallory@example.test'],
    ['X-Goog-IAP-JWT-Assertion', 'forged'],
    ['X-MS-CLIENT-PRINCIPAL-NAME', 'mallory'],
    ['X-Amzn-Oidc-Identity', 'mallory'],
  ];
  const spoofedHeaders = () => {
    const headers = new Headers();
    for (const [name, value] of spoofed) headers.append(name, value);
    return headers;
  };
  const identityOf = (echo: Awaited<ReturnType<typeof echoOf>>) =>
    echo.headers.filter(([name]) =>
      spoofed.some(([s]) => s.toLowerCase().replace(/_/g, '-') === name.toLowerCase().replace(/_/g, '-')),
    );

  it('on a signed-in pass (both header families), on a public path, and with X-Forwarded-Host replaced', async () => {
    const { jar } = await signIn({ sub: 'gate-spoof', email: 'real@example.test', name: 'Real' });
    const { userId } = sessionOf(jar);
    const headers = spoofedHeaders();
    headers.set('cookie', jar.header());
    headers.set('X-Forwarded-Host', 'evil.example.test');

    const wiki = await echoOf(await gate(`${WIKI}/`, { headers }));
    expect(Object.fromEntries(identityOf(wiki).map(([n, v]) => [n.toLowerCase(), v]))).toEqual({
      'sitewide-user-id': userId,
      'sitewide-user-email': 'real@example.test',
      'sitewide-user-name': 'Real',
      'sitewide-user-roles': '',
      'sitewide-jwt-assertion': expect.stringMatching(/^eyJ/),
    });
    expect(identityOf(wiki)).toHaveLength(5);
    expect(receivedHeader(wiki, 'X-Forwarded-Host')).toEqual(['wiki.example.test']);
    expect(JSON.stringify(wiki)).not.toContain('mallory');

    const access = await echoOf(await gate(`${ACCESS}/`, { headers }));
    expect(
      identityOf(access)
        .map(([n]) => n.toLowerCase())
        .sort(),
    ).toEqual(['cf-access-authenticated-user-email', 'cf-access-jwt-assertion']);
    expect(JSON.stringify(access)).not.toContain('mallory');

    const open = await echoOf(await gate(`${WIKI}/healthz`, { headers: spoofedHeaders() }));
    expect(identityOf(open)).toEqual([]);
  });

  it('other headers pass as they came', async () => {
    const { jar } = await signIn({ sub: 'gate-other-headers' });
    const echo = await echoOf(
      await gate(`${WIKI}/`, {
        jar,
        headers: { 'X-Custom': 'kept', 'X-Forwarded-Userx': 'kept too', authorization: 'Bearer app-token' },
      }),
    );
    expect(receivedHeader(echo, 'X-Custom')).toEqual(['kept']);
    expect(receivedHeader(echo, 'X-Forwarded-Userx')).toEqual(['kept too']);
    expect(receivedHeader(echo, 'authorization')).toEqual(['Bearer app-token']);
  });
});

describe('an expired token is renewed inline, exactly as on /api', () => {
  it('the origin sees the renewed identity and the browser gets the new cookie on the origin’s answer', async () => {
    const { jar } = await signIn({ sub: 'gate-renew', email: 'old@example.test' });
    const { userId, sid } = sessionOf(jar);
    await run('UPDATE users SET email = ? WHERE id = ?', 'new@example.test', userId);
    const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * MINUTE), profile });
    const res = await gate(`${WIKI}/__set-cookie`, { headers: { cookie: `${SESSION_COOKIE}=${expired}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    const cookies = setCookies(res);
    // The origin's own cookie first, as it sent it; then the renewed session cookie with sign-in's attributes.
    expect(cookies.map((c) => c.name)).toEqual(['app-cookie', SESSION_COOKIE]);
    const renewed = cookies[1];
    expect(renewed?.attributes).toMatchObject({
      domain: 'example.test',
      path: '/',
      httponly: true,
      secure: true,
      samesite: 'Lax',
    });
    expect(decodeJwt(renewed?.value as string)).toMatchObject({ sub: userId, sid, email: 'new@example.test' });

    const echo = await echoOf(await gate(`${WIKI}/`, { headers: { cookie: `${SESSION_COOKIE}=${expired}` } }));
    expect(receivedHeader(echo, 'Sitewide-User-Email')).toEqual(['new@example.test']);
  });

  it('a session D1 says is over: the browser goes to sign-in, a fetch gets the 401 of the renewal', async () => {
    const { jar } = await signIn({ sub: 'gate-over' });
    const { userId, sid } = sessionOf(jar);
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now(), sid);
    const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * MINUTE), profile });
    const cookie = `${SESSION_COOKIE}=${expired}`;
    const api = await gate(`${WIKI}/data.json`, { headers: { cookie } });
    expect(api.status).toBe(401);
    expect(await codeOf(api)).toBe('session_revoked');
    const page = await gate(`${WIKI}/data`, { headers: { cookie, ...NAVIGATION } });
    expect(page.status).toBe(302);
  });
});

describe('without a session', () => {
  it('a page navigation goes to sign-in and comes back to the exact URL', async () => {
    const url = `${WIKI}/pages/Home?rev=3#ignored`;
    for (const headers of [NAVIGATION, { accept: 'text/html' }, { 'sec-fetch-mode': 'navigate' }] as Record<
      string,
      string
    >[]) {
      const res = await gate(url, { headers });
      expect(res.status).toBe(302);
      const location = new URL(res.headers.get('location') ?? '');
      expect(location.origin + location.pathname).toBe(`${API}/auth/signin/google`);
      expect(location.searchParams.get('callbackUrl')).toBe(`${WIKI}/pages/Home?rev=3`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
    // HEAD navigations too; a POST with Accept text/html is not a navigation.
    expect((await gate(url, { method: 'HEAD', headers: NAVIGATION })).status).toBe(302);
    const post = await gate(url, { method: 'POST', headers: NAVIGATION, body: 'x' });
    expect({ status: post.status, code: await codeOf(post) }).toEqual({ status: 401, code: 'missing_session' });
  });

  it('anything else gets 401 JSON with the refusal’s code', async () => {
    const res = await gate(`${WIKI}/api/data`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: 'missing_session', message: expect.stringContaining(`${API}/auth/signin`) },
    });
    const tampered = await gate(`${WIKI}/`, { headers: { cookie: `${SESSION_COOKIE}=not.a.token` } });
    expect({ status: tampered.status, code: await codeOf(tampered) }).toEqual({ status: 401, code: 'invalid_session' });
  });

  it('the sign-in comes back to the gated URL (a gated origin is an allowed redirect target)', async () => {
    const { callback } = await signIn({ sub: 'gate-back' }, { callbackUrl: `${WIKI}/pages/Home?rev=3` });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`${WIKI}/pages/Home?rev=3`);
  });

  it('public paths pass with no session, stripped like the others, with no identity', async () => {
    for (const path of ['/healthz', '/assets/app.css', '/assets/deep/x.js']) {
      const echo = await echoOf(
        await gate(`${WIKI}${path}`, { headers: { 'Sitewide-User-Email': 'mallory@example.test', cookie: 'a=1' } }),
      );
      expect(echo.path).toBe(path);
      expect(receivedHeader(echo, 'Sitewide-User-Email')).toEqual([]);
      expect(receivedHeader(echo, 'Sitewide-Jwt-Assertion')).toEqual([]);
      expect(receivedHeader(echo, 'cookie')).toEqual(['a=1']);
    }
    // Not public: the prefix itself, a neighbour, and paths an origin may read as another one.
    for (const path of [
      '/assets',
      '/healthz/x',
      '/healthzz',
      '/assets/..%2fadmin',
      '/assets/..;/admin',
      '/assets/%2e%2e/admin',
      '/assets\\..\\admin',
    ]) {
      const res = await gate(`${WIKI}${path}`);
      expect(res.status, path).toBe(401);
    }
    // Dot segments are resolved by the URL parser before matching: /assets/../admin is /admin.
    expect((await gate(`${WIKI}/assets/../admin`)).status).toBe(401);
  });
});

describe('roles', () => {
  it('a user without the role gets our 403 page naming it; a fetch gets 403 access_denied', async () => {
    const { jar } = await signIn({ sub: 'gate-norole', email: 'eve@example.test' });
    const page = await gate(`${GRAFANA}/d/home`, { jar, headers: NAVIGATION });
    expect(page.status).toBe(403);
    expect(page.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('grafana.example.test requires the role admin');
    expect(html).toContain('eve@example.test');
    expect(html).toContain(`href="${API}/auth/signout?callbackUrl=`);

    const api = await gate(`${GRAFANA}/api/dashboards`, { jar });
    expect(api.status).toBe(403);
    expect(await api.json()).toEqual({
      error: { code: 'access_denied', message: 'grafana.example.test requires the role admin' },
    });
  });

  it('a user with the role goes through', async () => {
    const first = await signIn({ sub: 'gate-admin' });
    await grant(sessionOf(first.jar).userId, 'admin');
    const { jar } = await signIn({ sub: 'gate-admin' });
    const echo = await echoOf(await gate(`${GRAFANA}/d/home`, { jar }));
    expect(receivedHeader(echo, 'Sitewide-User-Roles')).toEqual(['admin']);
  });
});

describe('/_sitewide/ on every gated host', () => {
  it('/_sitewide/me answers the user as /api/me does, private and never cached', async () => {
    const { jar } = await signIn({ sub: 'gate-me', email: 'me@example.test', name: 'Me' });
    const { userId } = sessionOf(jar);
    const res = await gate(`${WIKI}/_sitewide/me`, { jar });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(await res.json()).toEqual({
      id: userId,
      email: 'me@example.test',
      name: 'Me',
      image: expect.any(String),
      roles: [],
    });
    const none = await gate(`${WIKI}/_sitewide/me`, { headers: NAVIGATION });
    expect({ status: none.status }).toEqual({ status: 302 });
    const json = await gate(`${WIKI}/_sitewide/me`);
    expect({ status: json.status, code: await codeOf(json) }).toEqual({ status: 401, code: 'missing_session' });
  });

  it('/_sitewide/signout goes to the API’s sign-out page, which lands on the sign-in page for this app', async () => {
    const res = await gate(`${WIKI}/_sitewide/signout`, { headers: NAVIGATION });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(`${API}/auth/signout`);
    expect(location.searchParams.get('callbackUrl')).toBe(
      `${API}/auth/signin?callbackUrl=${encodeURIComponent(`${WIKI}/`)}`,
    );
  });

  it('nothing else under /_sitewide/ reaches the origin', async () => {
    const { jar } = await signIn({ sub: 'gate-own' });
    for (const path of ['/_sitewide', '/_sitewide/', '/_sitewide/admin', '/_sitewide/me/x']) {
      const res = await gate(`${WIKI}${path}`, { jar });
      expect({ path, status: res.status, code: await codeOf(res) }).toEqual({ path, status: 404, code: 'not_found' });
    }
  });
});

describe('everything passes through after the check', () => {
  it('every method, a large streamed upload, the origin’s redirects and chunked answers', async () => {
    const { jar } = await signIn({ sub: 'gate-methods' });
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
      const echo = await echoOf(
        await gate(`${WIKI}/x`, { method, jar, headers: { origin: WIKI }, body: method === 'OPTIONS' ? null : 'a' }),
      );
      expect(echo.method).toBe(method);
    }
    const size = 8 * 1024 * 1024;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        const chunk = new Uint8Array(64 * 1024).fill(sent % 251);
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const upload = await echoOf(
      await gate(`${WIKI}/upload`, {
        method: 'PUT',
        jar,
        headers: { origin: WIKI },
        body,
        duplex: 'half',
      } as RequestInit),
    );
    expect(upload.body.length).toBe(size);

    // Whatever redirect mode the request came with, the origin's redirect goes back to the browser
    // (the Worker's fetch handler called directly: a service binding would follow it on the caller's side).
    const ctx = createExecutionContext();
    const followed = await worker.fetch(
      new Request(`${WIKI}/__redirect`, { headers: { cookie: jar.header() }, redirect: 'follow' }) as Parameters<
        typeof worker.fetch
      >[0],
      env,
      ctx,
    );
    expect(followed.status).toBe(302);
    const redirect = await gate(`${WIKI}/__redirect`, { jar });
    expect({ status: redirect.status, location: redirect.headers.get('location') }).toEqual({
      status: 302,
      location: '/elsewhere',
    });
    const chunks = await gate(`${WIKI}/__chunks`, { jar });
    expect(await chunks.text()).toBe('chunk 1\nchunk 2\nchunk 3\n');
  });

  it('a WebSocket connects through the gate, with the identity headers on its handshake', async () => {
    const { jar } = await signIn({ sub: 'gate-ws', email: 'ws@example.test' });
    const res = await gate(`${WIKI}/socket`, { jar, headers: { upgrade: 'websocket', origin: WIKI } });
    expect(res.status).toBe(101);
    const socket = res.webSocket as WebSocket;
    socket.accept();
    const messages: string[] = [];
    const got = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => (messages.length >= n ? resolve() : setTimeout(check, 10));
        check();
      });
    socket.addEventListener('message', (event) => messages.push(String(event.data)));
    await got(1);
    const hello = JSON.parse(messages[0] as string) as { headers: Array<[string, string]> };
    expect(receivedHeader(hello, 'Sitewide-User-Email')).toEqual(['ws@example.test']);
    expect(receivedHeader(hello, 'cookie').join()).not.toContain(SESSION_COOKIE);
    socket.send('ping through the gate');
    await got(2);
    expect(messages[1]).toBe('ping through the gate');
    socket.close();

    const none = await gate(`${WIKI}/socket`, { headers: { upgrade: 'websocket', origin: WIKI } });
    expect(none.status).toBe(401);
  });

  it('writes and WebSocket handshakes from another origin are refused (a hostile sibling carries the cookie)', async () => {
    const { jar } = await signIn({ sub: 'gate-csrf' });
    for (const headers of [
      { origin: 'https://evil.example.test' },
      { origin: 'null' },
      { 'sec-fetch-site': 'same-site' },
    ] as Record<string, string>[]) {
      const post = await gate(`${WIKI}/settings`, { method: 'POST', jar, headers, body: 'delete=all' });
      expect({ status: post.status, code: await codeOf(post) }).toEqual({ status: 403, code: 'csrf_rejected' });
      const ws = await gate(`${WIKI}/socket`, { jar, headers: { ...headers, upgrade: 'websocket' } });
      expect(ws.status).toBe(403);
    }
    // Same origin, or no browser at all (no Origin, no Sec-Fetch-Site): through.
    expect((await gate(`${WIKI}/settings`, { method: 'POST', jar, headers: { origin: WIKI }, body: 'x' })).status).toBe(
      200,
    );
    expect((await gate(`${WIKI}/settings`, { method: 'POST', jar, body: 'x' })).status).toBe(200);
    // Reads from anywhere are the app's to answer (CORS is the browser's business).
    expect((await gate(`${WIKI}/x`, { jar, headers: { origin: 'https://evil.example.test' } })).status).toBe(200);
  });
});

describe('an origin that does not answer', () => {
  it('502 bad_gateway in the JSON shape, never a bare 500', async () => {
    const down = gateWith({ GATES: JSON.stringify({ [WIKI]: { origin: env.TEST_CLOSED_ORIGIN } }) });
    const { jar } = await signIn({ sub: 'gate-down' });
    const res = await down(`${WIKI}/`, { jar });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: { code: 'bad_gateway', message: expect.any(String) } });
  });
});

describe('the API is unchanged beside its gates', () => {
  it('API routes still answer on the API host; a gated origin is an allowed CORS origin', async () => {
    const { jar } = await signIn({ sub: 'gate-api' });
    const me = await gate(`${API}/api/me`, { jar, headers: { origin: WIKI } });
    expect(me.status).toBe(200);
    expect(me.headers.get('access-control-allow-origin')).toBe(WIKI);
    // A gated host's own paths are never the API's.
    expect((await gate(`${WIKI}/api/me`, { jar })).status).toBe(200);
    expect(await echoOf(await gate(`${WIKI}/api/me`, { jar }))).toMatchObject({ path: '/api/me' });
    expect(decodeProtectedHeader(sessionOf(jar).token).typ).toBe('sitewide-session+jwt');
  });
});
