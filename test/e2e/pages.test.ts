import { mkdirSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserStack, SESSION_COOKIE, startBrowserStack } from './browser-stack';
import { queryD1 } from './harness';

// Every page Sitewide serves, in headless Chromium at 320 px (the narrowest phone): no sideways
// scrolling, nothing fetched from anywhere but the API, the stylesheet allowed by its CSP hash.
// And sign-out by link: the page, its one button, the session revoked in D1, back on the app.

const SCREENSHOTS = 'test-results/e2e';
/** A site name with no place to break but anywhere: the layout must wrap it, not scroll. */
const SITE_NAME = 'Intranet-of-the-Extraordinarily-Long-Named-Department-of-Examples.example.test';
const NARROW = { width: 320, height: 640 };

let stack: BrowserStack;
let API: string;
let APP: string;

beforeAll(async () => {
  stack = await startBrowserStack({ vars: { SITE_NAME } });
  ({ api: API, app: APP } = stack);
  mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await stack?.stop();
});

/** A page that records every http(s) request it makes and every console error (CSP violations show there). */
async function watchedPage(context: BrowserContext) {
  const page = await context.newPage();
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  page.on('request', (req) => {
    if (/^https?:/.test(req.url())) requests.push(req.url());
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  return { page, requests, consoleErrors };
}

/** One Google sign-in through the one-click link, landing on the app's blank page. */
async function signIn(page: Page) {
  await page.goto(`${API}/auth/signin/google?callbackUrl=${encodeURIComponent(`${APP}/blank`)}`);
  await page.waitForURL(`${APP}/blank`);
}

/** The `sid` claim of the session cookie in the context (the token is a JWS; its payload is JSON). */
async function sessionIdIn(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies(API)).find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error('no session cookie');
  const payload = JSON.parse(Buffer.from(cookie.value.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return payload.sid as string;
}

describe('every page at 320 px in Chromium', () => {
  const pages: Array<{ name: string; path: () => string; heading: string; signedIn?: boolean }> = [
    { name: 'sign-in', path: () => `/auth/signin?callbackUrl=${encodeURIComponent(`${APP}/`)}`, heading: 'Sign in' },
    {
      name: 'sign-out',
      path: () => `/auth/signout?callbackUrl=${encodeURIComponent(`${APP}/`)}`,
      heading: 'Sign out?',
      signedIn: true,
    },
    { name: 'signed-out', path: () => '/auth/signout', heading: 'You are signed out' },
    {
      name: 'refusal',
      path: () => '/auth/error?error=AccessDenied&reason=domain_not_allowed',
      heading: 'This account may not sign in here',
    },
    { name: 'error', path: () => '/auth/error?error=Verification', heading: 'Sign-in failed' },
  ];

  for (const { name, path, heading, signedIn } of pages) {
    it(`${name}: no horizontal scroll, the site name wrapped, styled, nothing loaded from another origin`, async () => {
      const context = await stack.newContext({ viewport: NARROW });
      try {
        if (signedIn) await signIn(await context.newPage());
        const { page, requests, consoleErrors } = await watchedPage(context);
        await page.goto(`${API}${path()}`);
        expect(await page.locator('h1').textContent()).toBe(heading);
        expect(await page.locator('.site').textContent()).toBe(SITE_NAME);
        const layout = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth,
          clientWidth: document.documentElement.clientWidth,
          // The stylesheet applied (its CSP hash matched): the card is white on the grey page.
          card: getComputedStyle(document.querySelector('main') as Element).backgroundColor,
          body: getComputedStyle(document.body).backgroundColor,
        }));
        expect(layout.clientWidth).toBe(320);
        expect(layout.scrollWidth).toBeLessThanOrEqual(320);
        expect(layout).toMatchObject({ card: 'rgb(255, 255, 255)', body: 'rgb(240, 244, 249)' });
        const buttons = page.locator('.gsi, .button');
        // Every page offers one action at least (sign in, sign out, continue, sign in again).
        expect(await buttons.count()).toBeGreaterThan(0);
        for (let i = 0; i < (await buttons.count()); i++) {
          const box = await buttons.nth(i).boundingBox();
          expect(box && box.x >= 0 && box.x + box.width <= 320).toBe(true);
        }
        expect(requests.filter((url) => new URL(url).origin !== API)).toEqual([]);
        expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
        await page.screenshot({ path: `${SCREENSHOTS}/page-${name}-320.png`, fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});

describe('sign-out by link', () => {
  it('GET /auth/signout → click "Sign out" → the session revoked in D1, the cookie cleared (Domain, Path), back on the callback', async () => {
    const context = await stack.newContext({ viewport: NARROW });
    try {
      const { page } = await watchedPage(context);
      await signIn(page);
      const sid = await sessionIdIn(context);
      const callback = `${APP}/blank?signed=out`;
      await page.goto(`${API}/auth/signout?callbackUrl=${encodeURIComponent(callback)}`);
      expect(await page.title()).toBe(`Sign out of ${SITE_NAME}?`);

      const post = page.waitForResponse(
        (res) => res.url() === `${API}/auth/signout` && res.request().method() === 'POST',
      );
      await page.getByRole('button', { name: 'Sign out' }).click();
      const answer = await post;
      await page.waitForURL(callback);

      // The form carried our page's Origin (its referrer policy), which POST /auth/signout requires.
      expect(await answer.request().headerValue('origin')).toBe(API);
      expect(answer.status()).toBe(302);
      const clears = (await answer.headersArray())
        .filter((h) => h.name.toLowerCase() === 'set-cookie' && h.value.startsWith(`${SESSION_COOKIE}=;`))
        .map((h) => h.value);
      expect(clears.some((v) => /Domain=example\.test/i.test(v) && /Path=\//.test(v) && /Max-Age=0/i.test(v))).toBe(
        true,
      );
      const [row] = queryD1<{ revoked_at: number | null }>(
        stack.sitewide,
        `SELECT revoked_at FROM sessions WHERE id = '${sid}'`,
      );
      expect(row?.revoked_at).toBeTypeOf('number');
      expect((await context.cookies(API)).find((c) => c.name === SESSION_COOKIE)).toBeUndefined();
    } finally {
      await context.close();
    }
  });

  it('a hostile sibling can show the page but not sign anyone out: no framing, and a navigation only asks', async () => {
    const context = await stack.newContext({ viewport: NARROW });
    try {
      const { page } = await watchedPage(context);
      await signIn(page);
      const sid = await sessionIdIn(context);
      await page.goto(`${stack.evilSibling}/blank`);
      // Framed (to trick a click): the browser refuses to render it.
      await page.evaluate(
        (src) =>
          new Promise((loaded) => {
            const frame = document.createElement('iframe');
            frame.onload = loaded;
            frame.src = src;
            document.body.append(frame);
          }),
        `${API}/auth/signout`,
      );
      const framed = page.frames().find((f) => f !== page.mainFrame());
      // Chromium's own error page instead (X-Frame-Options DENY, frame-ancestors 'none').
      expect(await framed?.content()).toContain('ERR_BLOCKED_BY_RESPONSE');
      expect(await framed?.locator('form[action="/auth/signout"]').count()).toBe(0);
      // Sent there at the top: the page asks, and the session is still live.
      await page.evaluate(
        (url) => {
          location.href = url;
        },
        `${API}/auth/signout?callbackUrl=${encodeURIComponent(`${stack.evilSibling}/blank`)}`,
      );
      await page.waitForURL(`${API}/auth/signout?**`);
      expect(await page.locator('h1').textContent()).toBe('Sign out?');
      // Its callbackUrl is not an allowed origin: the page offers APP_URL instead.
      expect(await page.locator('input[name="callbackUrl"]').getAttribute('value')).toBe(`${APP}/`);
      expect(queryD1(stack.sitewide, `SELECT revoked_at FROM sessions WHERE id = '${sid}'`)).toEqual([
        { revoked_at: null },
      ]);
      expect((await context.cookies(API)).some((c) => c.name === SESSION_COOKIE)).toBe(true);
    } finally {
      await context.close();
    }
  });
});
