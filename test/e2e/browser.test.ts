import { mkdirSync, readFileSync } from 'node:fs';
import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY } from '../../scripts/google-identity.ts';
import { type BrowserStack, SESSION_COOKIE, startBrowserStack } from './browser-stack';
import { queryD1, type RunningSitewide } from './harness';

// The promise of Sitewide is a browser behaviour, so it is shown in a real one:
// headless Chromium, the API and the demo app on sibling hostnames of one test
// domain over https, the loopback OIDC server as Google.

const SCREENSHOTS = 'test-results/e2e';
const COOKIE = SESSION_COOKIE;

let stack: BrowserStack;
let sitewide: RunningSitewide;
let context: BrowserContext;
let page: Page;
let API: string;
let APP: string;
let EVIL_SIBLING: string;
let CROSS_SITE: string;

beforeAll(async () => {
  stack = await startBrowserStack();
  ({ sitewide, api: API, app: APP, evilSibling: EVIL_SIBLING, crossSite: CROSS_SITE } = stack);
  context = await stack.newContext({ viewport: { width: 900, height: 640 } });
  page = await context.newPage();
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await stack?.stop();
});

async function sessionCookie() {
  return (await context.cookies(API)).find((c) => c.name === COOKIE);
}

/** Runs a fetch in a page of `origin` and reports what that page could read. */
async function fetchFrom(origin: string, path: string, init: RequestInit) {
  const other = await context.newPage();
  try {
    await other.goto(`${origin}/blank`);
    return await other.evaluate(
      async ([target, options]) => {
        try {
          const res = await fetch(target as string, options as RequestInit);
          return { ok: true as const, status: res.status, body: await res.text() };
        } catch (error) {
          return { ok: false as const, error: String(error) };
        }
      },
      [`${API}${path}`, init] as const,
    );
  } finally {
    await other.close();
  }
}

/** The classic CSRF attack: a page of `origin` auto-submits a form to the API; what did the API answer? */
async function formPostFrom(origin: string, path: string) {
  const other = await context.newPage();
  try {
    await other.goto(`${origin}/blank`);
    const url = `${API}${path}`;
    const answer = other.waitForResponse((res) => res.url() === url);
    await other.evaluate((target) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = target;
      document.body.append(form);
      form.submit();
    }, url);
    const res = await answer;
    return { status: res.status(), body: JSON.parse(await res.text()) as { error: { code: string } } };
  } finally {
    await other.close();
  }
}

describe('one sign-in for sibling subdomains, in Chromium', () => {
  it('1. one click on the app page signs in through the API and the OIDC server and lands back on the app', async () => {
    await page.goto(`${APP}/`);
    await page.locator('#signed-out').waitFor();
    // A sentence, not the code (demo/words.js).
    expect(await page.locator('#signed-out-status').textContent()).toBe('You are signed out.');
    expect(await page.locator('#sign-in').getAttribute('href')).toBe(
      `${API}/auth/signin/google?callbackUrl=${encodeURIComponent(`${APP}/`)}`,
    );
    // A plain link: the click's first hops are the API's one-click sign-in, then the OIDC server (no page between).
    const hops: string[] = [];
    const onRequest = (req: Request) => {
      if (req.isNavigationRequest() && req.frame() === page.mainFrame()) hops.push(req.url().split('?')[0] ?? '');
    };
    page.on('request', onRequest);
    await page.click('#sign-in');
    await page.waitForURL(`${APP}/`);
    await page.locator('#signed-in').waitFor();
    page.off('request', onRequest);
    expect(hops.slice(0, 2)).toEqual([`${API}/auth/signin/google`, `${sitewide.oidc.issuer}/authorize`]);
  });

  it('2. the session cookie is on the parent domain: .example.test, Secure, HttpOnly, SameSite=Lax, __Secure-', async () => {
    const cookie = await sessionCookie();
    expect(cookie).toMatchObject({
      name: COOKIE,
      domain: '.example.test',
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
    });
    // Host-only leftovers of it: none.
    expect((await context.cookies(API)).filter((c) => c.name === COOKIE)).toHaveLength(1);
  });

  it('3. the app shows the user from /api/me (a credentialed cross-origin fetch from the sibling)', async () => {
    // The same fetch the app page makes, readable from the allowed sibling:
    const read = await fetchFrom(APP, '/api/me', { credentials: 'include' });
    expect(read).toMatchObject({ ok: true, status: 200 });
    expect(await page.locator('#name').textContent()).toBe(DEFAULT_IDENTITY.name);
    expect(await page.locator('#email').textContent()).toBe(DEFAULT_IDENTITY.email);
    expect(await page.locator('#sessions tr').count()).toBe(1);
    expect(await page.locator('#sessions').textContent()).toContain('this device');
    // The device in words, not the raw user agent (HeadlessChrome on X11; Linux).
    expect(await page.locator('#sessions td').first().textContent()).toBe('Chrome on Linux');
    await page.screenshot({ path: `${SCREENSHOTS}/signed-in.png`, fullPage: true });
  });

  it('4a. a sibling not in ALLOWED_ORIGINS cannot read /api/me, and its cookie-bearing POST is refused with csrf_rejected', async () => {
    // The browser withholds the response (no Access-Control-Allow-Origin for this origin).
    const read = await fetchFrom(EVIL_SIBLING, '/api/me', { credentials: 'include' });
    expect(read).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });

    // A form POST from a sibling is same-site: the browser sends the cookie; the Origin check stops it.
    const write = await formPostFrom(EVIL_SIBLING, '/api/sessions/revoke-all');
    expect(write.status).toBe(403);
    expect(write.body.error.code).toBe('csrf_rejected');
  });

  it('4b. a cross-site page cannot read /api/me, and its form POST carries no cookie at all (SameSite=Lax)', async () => {
    const read = await fetchFrom(CROSS_SITE, '/api/me', { credentials: 'include' });
    expect(read).toEqual({ ok: false, error: 'TypeError: Failed to fetch' });
    const write = await formPostFrom(CROSS_SITE, '/api/sessions/revoke-all');
    expect(write.status).toBe(401);
    expect(write.body.error.code).toBe('missing_session');
  });

  it('4c. after both attacks the session is intact', async () => {
    await page.reload();
    await page.locator('#signed-in').waitFor();
  });

  it('5. "Sign out" (a link to the API\'s sign-out page, one button there) clears the cookie; /api/me answers 401', async () => {
    expect(await page.locator('#sign-out').getAttribute('href')).toBe(
      `${API}/auth/signout?callbackUrl=${encodeURIComponent(`${APP}/`)}`,
    );
    await page.click('#sign-out');
    await page.waitForURL(`${API}/auth/signout?**`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${APP}/`);
    await page.locator('#signed-out').waitFor();
    expect(await sessionCookie()).toBeUndefined();
    const after = await page.evaluate(async (api) => {
      const res = await fetch(`${api}/api/me`, { credentials: 'include' });
      return { status: res.status, body: await res.json() };
    }, API);
    expect(after).toEqual({
      status: 401,
      body: { error: { code: 'missing_session', message: expect.stringContaining('sign in at') } },
    });
    await page.screenshot({ path: `${SCREENSHOTS}/signed-out.png`, fullPage: true });
  });

  async function signInFromApp() {
    await page.click('#sign-in');
    await page.waitForURL(`${APP}/**`);
  }

  it('6. "Download my data" downloads sitewide-export-<date>.json: the user, accounts, sessions', async () => {
    await signInFromApp();
    await page.locator('#signed-in').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-data')]);
    expect(download.suggestedFilename()).toBe(`sitewide-export-${new Date().toISOString().slice(0, 10)}.json`);
    const path = await download.path();
    const data = JSON.parse(readFileSync(path, 'utf8'));
    expect(data.user.email).toBe(DEFAULT_IDENTITY.email);
    expect(data.accounts).toEqual([
      { provider: 'google', providerAccountId: DEFAULT_IDENTITY.sub, createdAt: expect.any(String) },
    ]);
    expect(data.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    // The page stayed where it was.
    expect(page.url()).toBe(`${APP}/`);
  });

  it('7. "Delete my account" with a stale sign-in: sign in again, come back, confirm, deleted; the cookie is gone', async () => {
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    // Every session signed in 11 minutes ago: too old to delete the account.
    queryD1(sitewide, `UPDATE sessions SET created_at = created_at - ${11 * 60_000}`);
    await page.click('#delete-account');
    // The API's own sign-in page: the site name and one link, nothing loaded from elsewhere.
    await page.waitForURL(`${API}/auth/signin?**`);
    expect(await page.title()).toBe(`Sign in to ${new URL(API).host}`);
    await page.getByRole('link', { name: 'Sign in with Google' }).click();
    await page.waitForURL(`${APP}/`);
    await page.locator('#signed-out').waitFor();
    expect(await page.locator('#signed-out-status').textContent()).toBe('Your account was deleted.');
    expect(dialogs).toHaveLength(2);
    expect(await sessionCookie()).toBeUndefined();
    const email = DEFAULT_IDENTITY.email.replaceAll("'", "''");
    expect(queryD1(sitewide, `SELECT id FROM users WHERE email = '${email}'`)).toEqual([]);
    expect(queryD1(sitewide, "SELECT kind FROM auth_events WHERE kind = 'account_deleted'")).toHaveLength(1);
    await page.screenshot({ path: `${SCREENSHOTS}/account-deleted.png`, fullPage: true });
  });
});
