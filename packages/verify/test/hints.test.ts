import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSitewideVerifier, type SitewideFailure } from '../src/index.ts';
import { type FakeSitewide, startFakeSitewide } from './fake-sitewide.ts';

// Issue 20 (kit side), as the attacker: a token's protected header is JSON the sender chooses.
// Before, the kit quoted its `typ` verbatim in the hint, so CR/LF in it forged a line in any log
// that printed the hint. Now every request value is quoted JSON-style and the hint is capped.

let fake: FakeSitewide;
beforeAll(async () => {
  fake = await startFakeSitewide();
});
afterAll(() => fake.close());

// C0 and C1 controls, DEL, U+2028/2029, bidi overrides and isolates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: what must never reach a log.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const FORGED = 'x\r\n2026-11-30T00:00:00Z INFO admin signed in as root\u2028\u001b[31m\u202eevil';

async function hintFor(cookieValue: string): Promise<string> {
  const verifier = createSitewideVerifier({ issuer: fake.issuer, audience: 'https://billing.example.test' });
  const result = (await verifier.verify({ cookie: `${fake.cookieName}=${cookieValue}` })) as SitewideFailure;
  expect(result.ok).toBe(false);
  return result.hint ?? '';
}

describe('hints never carry a request value raw', () => {
  it('a typ with CR/LF, an ANSI escape, U+2028 and a bidi override: quoted, escaped, one line', async () => {
    const hint = await hintFor(await fake.sign({}, { typ: FORGED }));
    expect(hint).not.toMatch(UNSAFE);
    expect(hint).toContain(String.raw`"x\r\n2026-11-30T00:00:00Z INFO admin`);
    expect(hint).toContain(String.raw`\u2028\u001b[31m\u202eevil"`);
  });

  it('a kid with CR/LF and 10 kB: escaped and capped', async () => {
    const hint = await hintFor(await fake.sign({}, { kid: `${FORGED}${'A'.repeat(10_000)}` }));
    expect(hint).toMatch(/^its kid "x\\r\\n/);
    expect(hint).not.toMatch(UNSAFE);
    expect(hint.length).toBeLessThanOrEqual(401);
  });

  it('a header that is not a string (an object with a newline inside): JSON, escaped, capped', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: { a: `\n${'b'.repeat(500)}` } })).toString(
      'base64url',
    );
    const hint = await hintFor(`${header}.e30.c2ln`);
    expect(hint).not.toMatch(UNSAFE);
    expect(hint).toMatch(/^the token's typ is \{"a":"\\nbbbb/);
    expect(hint.length).toBeLessThan(200);
  });

  it('a message and hint from the refresh answer (a Sitewide answer) are single-line too', async () => {
    fake.refresh = { status: 401, body: { error: { code: 'session_revoked', message: 'line one\r\nline two' } } };
    const verifier = createSitewideVerifier({ issuer: fake.issuer });
    const result = (await verifier.verify({
      cookie: `${fake.cookieName}=${await fake.sign({}, { expiresIn: -30, sid: 'hint-s' })}`,
    })) as SitewideFailure;
    expect(result.message).toBe(String.raw`line one\u000d\u000aline two`);
    fake.refresh = { status: 401, body: { error: { code: 'bad\ncode', message: 'x' } } };
    const odd = (await verifier.verify({
      cookie: `${fake.cookieName}=${await fake.sign({}, { expiresIn: -30, sid: 'hint-t' })}`,
    })) as SitewideFailure;
    // Not Sitewide's code shape: treated as no answer from Sitewide at all.
    expect(odd).toMatchObject({ status: 503, code: 'service_unavailable' });
  });
});
