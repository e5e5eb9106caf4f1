// A session revoked at the API is refused at the gate within REVOCATION_POLL, in another isolate, with
// no D1 read on a fresh cookie: the gate consults the same revocation snapshot as /api/*.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { countingD1 } from './support/counting-d1';
import { ECHO_ORIGIN, gateWith, NAVIGATION } from './support/gate';
import { codeOf, FROM_APP } from './support/http';
import { apiWith, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';

const POLL_MS = 200;
const POLL = String(POLL_MS / 1000);
const WIKI = 'https://wiki.example.test';

describe('revocation at the gate', () => {
  it('a revoked session is refused at the gate within one poll, from the snapshot (zero D1 reads)', async () => {
    const api = apiWith({ REVOCATION_POLL: POLL });
    const { db, counter } = countingD1(env.DB);
    const gate = gateWith({
      REVOCATION_POLL: POLL,
      DB: db as unknown as string,
      GATES: JSON.stringify({ [WIKI]: { origin: ECHO_ORIGIN } }),
    });
    const phone = await signInTo(api, { sub: 'gate-revoked' });
    const laptop = await signInTo(api, { sub: 'gate-revoked' });
    expect((await gate(`${WIKI}/`, { jar: phone.jar })).status).toBe(200);

    const revoke = await api(`/api/sessions/${sessionOf(phone.jar).sid}/revoke`, {
      method: 'POST',
      jar: laptop.jar,
      headers: FROM_APP,
    });
    expect(revoke.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS + 50));
    counter.statements = 0;

    const refused = await gate(`${WIKI}/pages`, { jar: phone.jar });
    expect({ status: refused.status, code: await codeOf(refused) }).toEqual({ status: 401, code: 'session_revoked' });
    const page = await gate(`${WIKI}/pages`, { jar: phone.jar, headers: NAVIGATION });
    expect(page.status).toBe(302);
    expect((await gate(`${WIKI}/pages`, { jar: laptop.jar })).status).toBe(200);
    expect(counter.statements).toBe(0);
  });
});
