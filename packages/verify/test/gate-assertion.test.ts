import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyGateAssertion } from '../src/index.ts';
import { type FakeSitewide, type SignOptions, startFakeSitewide } from './fake-sitewide.ts';

const APP = 'https://wiki.example.test';
let fake: FakeSitewide;

beforeAll(async () => {
  fake = await startFakeSitewide();
});
afterAll(() => fake.close());

/** An assertion as the gate signs it: typ, aud = the app, a minute to live. */
const assertion = (claims: Record<string, unknown> = {}, options: SignOptions = {}) =>
  fake.sign(
    { email: 'ada@example.test', name: 'Ada', roles: ['staff'], ...claims },
    { typ: 'sitewide-assertion+jwt', aud: APP, expiresIn: 60, lifetime: 60, ...options },
  );
const verify = (input: Parameters<typeof verifyGateAssertion>[0], audience = APP) =>
  verifyGateAssertion(input, { issuer: fake.issuer, audience });

describe('verifyGateAssertion', () => {
  it('reads the header from a Request, Headers, a Node header record or the value itself', async () => {
    const jwt = await assertion();
    const user = { id: 'user-1', email: 'ada@example.test', name: 'Ada', image: null, roles: ['staff'] };
    for (const input of [
      new Request(`${APP}/`, { headers: { 'Sitewide-Jwt-Assertion': jwt } }),
      new Headers({ 'sitewide-jwt-assertion': jwt }),
      { 'sitewide-jwt-assertion': jwt, host: 'wiki.example.test' },
      new Headers({ 'cf-access-jwt-assertion': jwt }),
      jwt,
    ]) {
      expect(await verify(input)).toEqual({ ok: true, user });
    }
  });

  it('refuses what the gate did not sign for this app, with a code and a hint', async () => {
    const cases: Array<[Promise<string> | string | undefined, string, RegExp | null]> = [
      [undefined, 'missing_session', /through the Sitewide gate/],
      [assertion({}, { aud: 'https://grafana.example.test' }), 'invalid_session', /set audience to this app's origin/],
      [assertion({}, { typ: 'sitewide-session+jwt' }), 'invalid_session', /claim "typ"/],
      // jose alone compares typ case-insensitively and takes an application/ prefix: not ours.
      [assertion({}, { typ: 'Sitewide-Assertion+JWT' }), 'invalid_session', /claim "typ"/],
      [assertion({}, { typ: 'application/sitewide-assertion+jwt' }), 'invalid_session', /claim "typ"/],
      [assertion({}, { iss: 'https://other.example.test' }), 'invalid_session', /claim "iss"/],
      [assertion({}, { expiresIn: -5 }), 'session_expired', null],
      [assertion({}, { expiresIn: 600, lifetime: 600 }), 'invalid_session', /lives 600 s/],
      [assertion({}, { unpublished: true, kid: 'nobody' }), 'invalid_session', null],
      ['not.a.jwt', 'invalid_session', null],
    ];
    for (const [jwt, code, hint] of cases) {
      const result = await verify(await jwt);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect({ status: result.status, code: result.code }).toEqual({ status: 401, code });
      if (hint) expect(result.hint).toMatch(hint);
    }
  });

  it('answers 503 when the keys cannot be had, and a caller mistake is a TypeError', async () => {
    const down = await verifyGateAssertion(await assertion(), { issuer: 'http://127.0.0.1:9', audience: APP });
    expect(down).toMatchObject({ ok: false, status: 503, code: 'service_unavailable' });
    // The key set answering an error (jose's plain JOSEError) is Sitewide's trouble too, not the assertion's.
    const failing = async () => new Response('down', { status: 500 });
    const erroring = await verifyGateAssertion(await assertion(), {
      issuer: fake.issuer,
      audience: APP,
      fetch: failing,
    });
    expect(erroring).toMatchObject({ ok: false, status: 503, code: 'service_unavailable' });
    await expect(verifyGateAssertion('x', {} as never)).rejects.toThrow(TypeError);
  });
});
