import { describe, expect, it } from 'vitest';
import { setCookies } from './support/cookies';
import { rows, run } from './support/db';
import { APP_ORIGIN, APP_URL, json } from './support/http';
import { expectTargetsOn, readPage } from './support/pages';
import { apiWith, locationOf, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';
import { API, SESSION_COOKIE } from './support/worker';

/** One Workspace domain, one consumer domain, one partner's address. */
const acme = apiWith({
  ALLOWED_EMAIL_DOMAINS: 'acme.test, gmail.com',
  ALLOWED_EMAILS: 'Pat@Partner.test',
});
/** Exactly one Workspace domain: the authorize URL carries hd. */
const acmeOnly = apiWith({ ALLOWED_EMAIL_DOMAINS: 'ACME.test' });
/** Only listed addresses and invitations. */
const invitedOnly = apiWith({ ALLOWED_EMAILS: 'pat@partner.test' });

const usersWithSub = async (sub: string) =>
  rows('accounts JOIN users ON users.id = accounts.user_id', 'provider_account_id = ?', sub);
const refusals = async () =>
  rows<{ user_id: string | null; detail: string }>('auth_events', "kind = 'sign_in_refused'");

async function expectRefused(
  res: Response,
  sub: string,
  reason: string,
  detail: string,
): Promise<{ user_id: string | null; detail: string }> {
  expect(res.status).toBe(302);
  const to = locationOf(res);
  expect(to.origin + to.pathname).toBe(`${API}/auth/error`);
  expect(Object.fromEntries(to.searchParams)).toEqual({ error: 'AccessDenied', reason });
  expect(setCookies(res).some((c) => c.name === SESSION_COOKIE && c.value)).toBe(false);
  expect(await usersWithSub(sub)).toEqual([]);
  const events = (await refusals()).filter((e) => e.detail === detail);
  expect(events.length).toBeGreaterThan(0);
  return events.at(-1) as { user_id: string | null; detail: string };
}

describe('ALLOWED_EMAIL_DOMAINS', () => {
  it('admits a verified Workspace account whose hd is the listed domain, and stores hd', async () => {
    const { callback, jar } = await signInTo(acme, {
      sub: 'adm-ann',
      email: 'ann@acme.test',
      email_verified: true,
      hd: 'acme.test',
    });
    expect(callback.status).toBe(302);
    expect(locationOf(callback).href).toBe(`${APP_ORIGIN}/home`);
    expect(sessionOf(jar).userId).toBeTruthy();
    expect(await usersWithSub('adm-ann')).toMatchObject([{ email: 'ann@acme.test', hosted_domain: 'acme.test' }]);
  });

  it('mixed case in the address, the hd and the configured domain still match', async () => {
    const { callback } = await signInTo(acmeOnly, {
      sub: 'adm-mixed',
      email: 'Ann.Smith@ACME.Test',
      email_verified: true,
      hd: 'Acme.TEST',
    });
    expect(locationOf(callback).href).toBe(`${APP_ORIGIN}/home`);
    expect(await usersWithSub('adm-mixed')).toMatchObject([{ hosted_domain: 'acme.test' }]);
  });

  it('refuses a consumer account (no hd) whose address is on the Workspace domain: hd_mismatch', async () => {
    const { callback } = await signInTo(acme, { sub: 'adm-nohd', email: 'mallory@acme.test', email_verified: true });
    const event = await expectRefused(callback, 'adm-nohd', 'hd_mismatch', 'hd_mismatch acme.test');
    expect(event.user_id).toBeNull();
  });

  it('refuses an account of another Workspace whose address is spelled on ours: hd_mismatch', async () => {
    const { callback } = await signInTo(acme, {
      sub: 'adm-otherhd',
      email: 'eve@acme.test',
      email_verified: true,
      hd: 'evil.test',
    });
    await expectRefused(callback, 'adm-otherhd', 'hd_mismatch', 'hd_mismatch acme.test');
  });

  it('refuses an unverified email, even with the right hd: email_unverified', async () => {
    const { callback } = await signInTo(acme, {
      sub: 'adm-unverified',
      email: 'ann2@acme.test',
      email_verified: false,
      hd: 'acme.test',
    });
    await expectRefused(callback, 'adm-unverified', 'email_unverified', 'email_unverified acme.test');
  });

  it('refuses another domain: domain_not_allowed with the domain, never the address, in the audit row', async () => {
    const { callback } = await signInTo(acme, {
      sub: 'adm-stranger',
      email: 'stranger@example.org',
      email_verified: true,
      hd: 'example.org',
    });
    await expectRefused(callback, 'adm-stranger', 'domain_not_allowed', 'domain_not_allowed example.org');
    const all = await rows<{ detail: string | null }>('auth_events');
    expect(all.some((e) => e.detail?.includes('stranger@'))).toBe(false);
  });

  it('gmail.com admits a verified consumer account there (Google sets no hd for it)', async () => {
    const { callback } = await signInTo(acme, { sub: 'adm-gmail', email: 'Someone@Gmail.com', email_verified: true });
    expect(locationOf(callback).href).toBe(`${APP_ORIGIN}/home`);
    expect(await usersWithSub('adm-gmail')).toMatchObject([{ hosted_domain: null }]);
  });

  it('gmail.com refuses an unverified gmail address', async () => {
    const { callback } = await signInTo(acme, { sub: 'adm-gmail-unv', email: 'x@gmail.com', email_verified: false });
    await expectRefused(callback, 'adm-gmail-unv', 'email_unverified', 'email_unverified gmail.com');
  });
});

describe('ALLOWED_EMAILS', () => {
  it('admits the exact verified address, case-insensitively, whatever its domain and hd', async () => {
    const { callback } = await signInTo(acme, { sub: 'adm-pat', email: 'pat@PARTNER.test', email_verified: true });
    expect(locationOf(callback).href).toBe(`${APP_ORIGIN}/home`);
  });

  it('refuses the listed address when Google has not verified it', async () => {
    const { callback } = await signInTo(invitedOnly, {
      sub: 'adm-pat-unv',
      email: 'pat@partner.test',
      email_verified: false,
    });
    await expectRefused(callback, 'adm-pat-unv', 'email_unverified', 'email_unverified partner.test');
  });

  it('with only addresses listed, anyone else is refused: email_not_allowed', async () => {
    const { callback } = await signInTo(invitedOnly, { sub: 'adm-pat2', email: 'pat2@partner.test' });
    await expectRefused(callback, 'adm-pat2', 'email_not_allowed', 'email_not_allowed partner.test');
  });
});

describe('invitations', () => {
  it("admit an invited address's first verified sign-in, accept the invitation and write the audit row", async () => {
    await run("INSERT INTO invitations (email, invited_at, invited_by) VALUES ('carol@elsewhere.test', ?, 'ops')", 1);
    const { callback, jar } = await signInTo(invitedOnly, {
      sub: 'adm-carol',
      email: 'Carol@Elsewhere.test',
      email_verified: true,
    });
    expect(locationOf(callback).href).toBe(`${APP_ORIGIN}/home`);
    const { userId, sid } = sessionOf(jar);
    const [invitation] = await rows<{ accepted_at: number | null; accepted_by: string | null }>(
      'invitations',
      "email = 'carol@elsewhere.test'",
    );
    expect(invitation?.accepted_by).toBe(userId);
    expect(invitation?.accepted_at).toBeGreaterThan(Date.now() - 60_000);
    expect(await rows('auth_events', "kind = 'invitation_accepted' AND user_id = ?", userId)).toMatchObject([
      { session_id: sid, detail: null },
    ]);

    // Later sign-ins of the same user stay admitted; the invitation is not accepted twice.
    const again = await signInTo(invitedOnly, { sub: 'adm-carol', email: 'carol@elsewhere.test' });
    expect(locationOf(again.callback).href).toBe(`${APP_ORIGIN}/home`);
    expect(await rows('auth_events', "kind = 'invitation_accepted' AND user_id = ?", userId)).toHaveLength(1);
  });

  it('an accepted invitation admits nobody else: another Google account with the same address is refused', async () => {
    const { callback } = await signInTo(invitedOnly, { sub: 'adm-carol-2', email: 'carol@elsewhere.test' });
    await expectRefused(callback, 'adm-carol-2', 'email_not_allowed', 'email_not_allowed elsewhere.test');
  });

  it('an invited address that Google has not verified is refused and the invitation stays pending', async () => {
    await run("INSERT INTO invitations (email, invited_at) VALUES ('dan@elsewhere.test', 1)");
    const { callback } = await signInTo(invitedOnly, {
      sub: 'adm-dan',
      email: 'dan@elsewhere.test',
      email_verified: false,
    });
    await expectRefused(callback, 'adm-dan', 'email_unverified', 'email_unverified elsewhere.test');
    expect(await rows('invitations', "email = 'dan@elsewhere.test'")).toMatchObject([{ accepted_at: null }]);
  });

  it('a pending invitation is accepted even when a listed domain admits the address', async () => {
    await run("INSERT INTO invitations (email, invited_at) VALUES ('newhire@acme.test', 1)");
    const { jar } = await signInTo(acme, { sub: 'adm-newhire', email: 'newhire@acme.test', hd: 'acme.test' });
    expect(await rows('invitations', "email = 'newhire@acme.test'")).toMatchObject([
      { accepted_by: sessionOf(jar).userId },
    ]);
  });

  it('removing the invitation takes the admission back at the next sign-in', async () => {
    await run("INSERT INTO invitations (email, invited_at) VALUES ('erin@elsewhere.test', 1)");
    const first = await signInTo(invitedOnly, { sub: 'adm-erin', email: 'erin@elsewhere.test' });
    const { userId } = sessionOf(first.jar);
    await run("DELETE FROM invitations WHERE email = 'erin@elsewhere.test'");
    const second = await signInTo(invitedOnly, { sub: 'adm-erin', email: 'erin@elsewhere.test' });
    expect(locationOf(second.callback).searchParams.get('reason')).toBe('email_not_allowed');
    // The existing user's refusal names them in the audit row; no new session was opened.
    const event = (await refusals()).at(-1);
    expect(event).toMatchObject({ user_id: userId, detail: 'email_not_allowed elsewhere.test' });
    expect(await rows('sessions', 'user_id = ?', userId)).toHaveLength(1);
  });
});

describe('an existing user the policy no longer admits', () => {
  it('signed in while anyone could, is refused at the next sign-in once a policy is set', async () => {
    const open = apiWith({});
    const first = await signInTo(open, { sub: 'adm-old', email: 'old@example.org' });
    const { userId } = sessionOf(first.jar);
    const { callback } = await signInTo(acme, { sub: 'adm-old', email: 'old@example.org' });
    expect(locationOf(callback).searchParams.get('reason')).toBe('domain_not_allowed');
    expect((await refusals()).at(-1)).toMatchObject({ user_id: userId, detail: 'domain_not_allowed example.org' });
    expect(await rows('sessions', 'user_id = ?', userId)).toHaveLength(1);
  });
});

describe('with no policy configured', () => {
  it('anyone may sign in, unverified email included (the behaviour before policies existed)', async () => {
    const { callback } = await signInTo(apiWith({}), {
      sub: 'adm-anyone',
      email: 'who@wherever.test',
      email_verified: false,
    });
    expect(locationOf(callback).href).toBe(`${APP_ORIGIN}/home`);
  });
});

describe('the hd hint on the authorize URL', () => {
  it('is hd=<domain> when exactly one domain is listed', async () => {
    const { authorizeUrl } = await signInTo(acmeOnly, { sub: 'hint-1', email: 'h@acme.test', hd: 'acme.test' });
    expect(authorizeUrl.searchParams.get('hd')).toBe('acme.test');
  });

  it('is absent when two domains are listed', async () => {
    const { authorizeUrl } = await signInTo(acme, { sub: 'hint-2', email: 'h2@acme.test', hd: 'acme.test' });
    expect(authorizeUrl.searchParams.has('hd')).toBe(false);
  });

  it('is absent when the one domain is gmail.com (consumer accounts have no hd), or with no domain', async () => {
    const gmail = await signInTo(apiWith({ ALLOWED_EMAIL_DOMAINS: 'gmail.com' }), {
      sub: 'hint-3',
      email: 'h3@gmail.com',
    });
    expect(gmail.authorizeUrl.searchParams.has('hd')).toBe(false);
    const none = await signInTo(invitedOnly, { sub: 'hint-4', email: 'pat@partner.test' });
    expect(none.authorizeUrl.searchParams.has('hd')).toBe(false);
  });

  it('is only a hint: an account of another Workspace is still refused by its hd claim', async () => {
    const { callback, authorizeUrl } = await signInTo(acmeOnly, {
      sub: 'hint-5',
      email: 'x@other.test',
      hd: 'other.test',
    });
    expect(authorizeUrl.searchParams.get('hd')).toBe('acme.test');
    await expectRefused(callback, 'hint-5', 'domain_not_allowed', 'domain_not_allowed other.test');
  });
});

describe('where a refused sign-in lands', () => {
  const error = (reason: string) => `/auth/error?error=AccessDenied&reason=${reason}`;

  it('a JSON client gets 403 access_denied, naming the admitted domains but never the listed addresses', async () => {
    const res = await acme(error('domain_not_allowed'));
    const { status, body } = await json(res);
    expect(status).toBe(403);
    expect(body.error.code).toBe('access_denied');
    expect(body.error.message).toContain('acme.test');
    expect(body.error.message).toContain('@gmail.com');
    expect(body.error.message.toLowerCase()).not.toContain('pat@partner.test');
  });

  it('a browser gets our page: why, which accounts, and "Use another account" with the account chooser', async () => {
    const res = await acme(error('hd_mismatch'), { headers: { accept: 'text/html' } });
    const page = await readPage(res, 403);
    expect(page).toMatchObject({
      title: 'This account may not sign in here · api.example.test',
      site: 'api.example.test',
      h1: 'This account may not sign in here',
    });
    expect(page.html).toContain('not one of that organisation&#39;s Google Workspace accounts');
    expect(page.html).toContain('Google Workspace accounts of acme.test');
    expect(page.html.toLowerCase()).not.toContain('pat@partner.test');
    expect(page.html).toContain('<span>Use another account</span></a>');
    // The button is the one-click start with Google's account chooser; the other link goes back to the app.
    expect(page.googleHref).toBe('/auth/signin/google?prompt=select_account');
    expectTargetsOn(page, API, [APP_URL]);
    const start = await acme(page.googleHref ?? '');
    expect(start.status).toBe(302);
    const authorize = new URL(start.headers.get('location') ?? '');
    expect(authorize.searchParams.get('prompt')).toBe('select_account');
    expect(authorize.pathname).not.toContain('/auth/');
  });

  it('the page clears tossed flow cookies (duplicated, oversized) and never links to their callback URL', async () => {
    const name = '__Host-authjs.csrf-token';
    const res = await acme(error('domain_not_allowed'), {
      headers: {
        accept: 'text/html',
        cookie: `${name}=a|b; ${name}=c|d; __Host-authjs.callback-url=${'x'.repeat(5000)}`,
      },
    });
    const cleared = setCookies(res)
      .filter((c) => c.attributes['max-age'] === '0')
      .map((c) => c.name);
    expect(cleared.sort()).toEqual(['__Host-authjs.callback-url', name]);
    expect((await readPage(res, 403)).googleHref).toBe('/auth/signin/google?prompt=select_account');
  });

  it('"Use another account" end to end: the account chooser, then the app page first asked for', async () => {
    const refused = await signInTo(
      acme,
      { sub: 'another-1', email: 'me@example.org' },
      { callbackUrl: `${APP_ORIGIN}/deep/link` },
    );
    const { jar } = refused;
    const res = await acme(locationOf(refused.callback).pathname + locationOf(refused.callback).search, {
      jar,
      headers: { accept: 'text/html' },
    });
    jar.store(res);
    const href = (await readPage(res, 403)).googleHref ?? '';
    expect(new URL(href, API).searchParams.get('callbackUrl')).toBe(`${APP_ORIGIN}/deep/link`);
    // In Google's chooser the person picks their Workspace account (the loopback server reads login_hint).
    const hint = encodeURIComponent(JSON.stringify({ sub: 'another-2', email: 'me@acme.test', hd: 'acme.test' }));
    const start = await acme(`${href}&login_hint=${hint}`, { jar });
    expect(start.status).toBe(302);
    jar.store(start);
    const authorizeUrl = new URL(start.headers.get('location') ?? '');
    expect(authorizeUrl.searchParams.get('prompt')).toBe('select_account');
    const back = new URL((await fetch(authorizeUrl, { redirect: 'manual' })).headers.get('location') ?? '');
    const callback = await acme(back.pathname + back.search, { jar });
    expect(locationOf(callback).href).toBe(`${APP_ORIGIN}/deep/link`);
  });

  it('a disabled user gets a different message from a refused one', async () => {
    const page = await (await acme('/auth/error?error=AccessDenied', { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('it has been disabled');
    expect(page).not.toContain('Use another');
  });

  it('an unknown reason is treated as no reason: nothing a URL says becomes a message of its own', async () => {
    const res = await acme('/auth/error?error=AccessDenied&reason=<b>hi</b>', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(403);
    const page = await res.text();
    expect(page).not.toContain('<b>hi');
    expect(page).toContain('it has been disabled');
  });

  it('with only addresses and invitations, the page says so', async () => {
    const res = await invitedOnly(error('email_not_allowed'));
    expect((await json(res)).body.error.message).toContain('This site admits only people it has invited.');
  });
});
