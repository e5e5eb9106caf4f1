// Addresses compare as Google compares them (docs/access.md): ASCII letters case-insensitively, every
// other character byte for byte after NFC. Tried as an attacker through the real sign-in flow: an
// address that differs from a listed or invited one only by a Unicode character that lower-cases to
// an ASCII letter is another address.
import { describe, expect, it } from 'vitest';
import { setCookies } from './support/cookies';
import { rows, run } from './support/db';
import { APP_ORIGIN } from './support/http';
import { apiWith, locationOf, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';
import { API, SESSION_COOKIE } from './support/worker';

const KELVIN = '\u212A'; // K KELVIN SIGN: 'K'.toLowerCase() === 'k'
const DOTTED_I = '\u0130'; // İ LATIN CAPITAL LETTER I WITH DOT ABOVE: lower-cases to 'i' + U+0307

const listed = apiWith({ ALLOWED_EMAILS: `kim@partner.test, ${DOTTED_I}nci@partner.test` });

async function expectRefused(res: Response, sub: string, reason: string) {
  const to = locationOf(res);
  expect(to.origin + to.pathname).toBe(`${API}/auth/error`);
  expect(to.searchParams.get('reason')).toBe(reason);
  expect(setCookies(res).some((c) => c.name === SESSION_COOKIE && c.value)).toBe(false);
  expect(await rows('accounts', 'provider_account_id = ?', sub)).toEqual([]);
}

describe('ALLOWED_EMAILS', () => {
  it(`refuses ${KELVIN}im@partner.test (KELVIN SIGN) when kim@partner.test is listed`, async () => {
    const { callback } = await signInTo(listed, { sub: 'la-kelvin', email: `${KELVIN}im@partner.test` });
    await expectRefused(callback, 'la-kelvin', 'email_not_allowed');
  });

  it(`refuses i\u0307nci@partner.test ('i' + COMBINING DOT ABOVE) when ${DOTTED_I}nci@partner.test is listed`, async () => {
    const { callback } = await signInTo(listed, { sub: 'la-dot', email: 'i\u0307nci@partner.test' });
    await expectRefused(callback, 'la-dot', 'email_not_allowed');
  });

  it('admits the listed address itself: ASCII case folded, the non-ASCII letter exact (and NFC)', async () => {
    const ascii = await signInTo(listed, { sub: 'la-kim', email: 'KIM@Partner.TEST' });
    expect(locationOf(ascii.callback).href).toBe(`${APP_ORIGIN}/home`);
    const decomposed = `I\u0307nci@PARTNER.test`; // NFD of İ: the same address after NFC
    const inci = await signInTo(listed, { sub: 'la-inci', email: decomposed });
    expect(locationOf(inci.callback).href).toBe(`${APP_ORIGIN}/home`);
  });
});

describe('invitations', () => {
  const invitedOnly = apiWith({ ALLOWED_EMAILS: 'pat@partner.test' });

  it(`a look-alike (${KELVIN}ate) cannot take kate's invitation; kate still can`, async () => {
    await run("INSERT INTO invitations (email, invited_at) VALUES ('kate@elsewhere.test', 1)");
    const attacker = await signInTo(invitedOnly, { sub: 'la-kate-fake', email: `${KELVIN}ate@elsewhere.test` });
    await expectRefused(attacker.callback, 'la-kate-fake', 'email_not_allowed');
    expect(await rows('invitations', "email = 'kate@elsewhere.test'")).toMatchObject([{ accepted_by: null }]);

    const kate = await signInTo(invitedOnly, { sub: 'la-kate', email: 'Kate@Elsewhere.test' });
    expect(locationOf(kate.callback).href).toBe(`${APP_ORIGIN}/home`);
    expect(await rows('invitations', "email = 'kate@elsewhere.test'")).toMatchObject([
      { accepted_by: sessionOf(kate.jar).userId },
    ]);
  });
});
