// POST /auth/token applies APP_ACCESS to the app that asks (its Origin, the token's client_id) as well
// as to the audience. Tried as an attacker: a user without the admin role sends the request with the
// admin app's Origin, for audiences APP_ACCESS does not gate.
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import type { CookieJar } from './support/cookies';
import { run } from './support/db';
import { APP_ORIGIN, json } from './support/http';
import { apiWith, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';
import { API } from './support/worker';

const ADMIN = 'https://admin.example.test';
const gated = apiWith({ APP_ACCESS: JSON.stringify({ [ADMIN]: ['admin'], reports: ['analyst'] }) });

const ask = (jar: CookieJar, origin: string, audience: string) =>
  gated('/auth/token', {
    method: 'POST',
    jar,
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ audience }),
  });

describe('POST /auth/token: the roles of the asking app', () => {
  it('a user without the admin role gets no token when the admin app asks, for any audience: 403 access_denied', async () => {
    const { jar } = await signInTo(gated, { sub: 'ta-norole' });
    for (const audience of [API, 'https://billing.example.test']) {
      const { status, body } = await json(await ask(jar, ADMIN, audience));
      expect({ audience, status, code: body.error?.code }).toEqual({ audience, status: 403, code: 'access_denied' });
      expect(body.error.message).toContain(ADMIN);
    }
    // From an app APP_ACCESS does not gate, the same user gets its token (client_id = that app).
    const fromApp = await ask(jar, APP_ORIGIN, 'https://billing.example.test');
    expect(fromApp.status).toBe(200);
    const { access_token } = (await fromApp.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({ client_id: APP_ORIGIN, aud: 'https://billing.example.test' });
  });

  it('both are required: the admin app asking for a gated audience needs the roles of each', async () => {
    const { jar } = await signInTo(gated, { sub: 'ta-admin' });
    const { userId } = sessionOf(jar);
    await run("INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, 'admin', 1)", userId);
    const again = await signInTo(gated, { sub: 'ta-admin' });
    const ok = await ask(again.jar, ADMIN, API);
    expect(ok.status).toBe(200);
    const { access_token } = (await ok.json()) as { access_token: string };
    expect(decodeJwt(access_token)).toMatchObject({ client_id: ADMIN, aud: API, roles: ['admin'] });
    // The admin app may ask, but the audience `reports` wants `analyst`.
    expect((await json(await ask(again.jar, ADMIN, 'reports'))).body.error.code).toBe('access_denied');
  });
});
