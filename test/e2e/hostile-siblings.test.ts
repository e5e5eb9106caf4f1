import type { BrowserContext, Cookie, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY } from '../../scripts/google-identity.ts';
import { type BrowserStack, SESSION_COOKIE, startBrowserStack } from './browser-stack';
import { queryD1, type RunningSitewide } from './harness';

// Any subdomain of the cookie domain can write cookies for all of them (cookie tossing).
// A sibling outside ALLOWED_ORIGINS plants a session and Auth.js flow cookies before the
// victim signs in; the victim must still sign in as themselves and sign out for real.

const COOKIE = SESSION_COOKIE;
const ATTACKER = { sub: 'attacker-sub', email: 'attacker@example.test', name: 'Attacker' };
const FLOW_COOKIES = ['csrf-token', 'state', 'pkce.code_verifier', 'nonce', 'callback-url'].map(
  (n) => `__Host-authjs.${n}`,
);

let stack: BrowserStack;
let sitewide: RunningSitewide;
let context: BrowserContext;
let page: Page;
let API: string;
let APP: string;
let EVIL_SIBLING: string;
let attackerToken: string;
let victimToken: string | undefined;
let cookiesAtAuthorize: Cookie[] = [];

beforeAll(async () => {
  stack = await startBrowserStack();
  ({ sitewide, api: API, app: APP, evilSibling: EVIL_SIBLING } = stack);
  context = await stack.newContext();
  page = await context.newPage();
  attackerToken = await signInInOwnBrowser(ATTACKER);
});

afterAll(async () => {
  await stack?.stop();
});

/** The attacker signs in with their own browser (a separate context) and keeps the genuine token. */
async function signInInOwnBrowser(identity: typeof ATTACKER): Promise<string> {
  const own = await stack.newContext();
  try {
    const tab = await own.newPage();
    // The loopback OIDC server signs in whoever login_hint names; the sign-in page passes it on to its link.
    const hint = encodeURIComponent(JSON.stringify(identity));
    await tab.goto(`${API}/auth/signin?callbackUrl=${encodeURIComponent(`${APP}/`)}&login_hint=${hint}`);
    await tab.getByRole('link', { name: 'Sign in with Google' }).click();
    await tab.waitForURL(`${APP}/`);
    const token = (await own.cookies(API)).find((c) => c.name === COOKIE)?.value;
    if (!token) throw new Error('the attacker sign-in set no session cookie');
    return token;
  } finally {
    await own.close();
  }
}

/** Runs `document.cookie = …` for each line on a page of the hostile sibling. */
async function tossFromSibling(lines: string[]) {
  const evil = await context.newPage();
  try {
    await evil.goto(`${EVIL_SIBLING}/blank`);
    await evil.evaluate((all) => {
      // biome-ignore lint/suspicious/noDocumentCookie: a raw document.cookie write is the attack itself.
      for (const line of all) document.cookie = line;
    }, lines);
  } finally {
    await evil.close();
  }
}

const tossed = (c: Cookie) => c.domain === '.example.test';
const hostOnlyOnApi = (c: Cookie) => c.domain === 'api.example.test';

function sidOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sid: string };
  return payload.sid;
}

/**
 * Holds the browser at the provider's authorize request (a redirect hop, which page.route never
 * sees) and reads the cookies the API set on the way there, before the callback consumes them.
 */
async function pauseAtProvider(onPaused: (cookies: Cookie[]) => void) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: `${sitewide.oidc.issuer}/authorize*` }] });
  cdp.once('Fetch.requestPaused', async ({ requestId }) => {
    onPaused(await context.cookies(API));
    await cdp.send('Fetch.continueRequest', { requestId });
    await cdp.detach();
  });
}

async function meFromApp() {
  return page.evaluate(async (api) => {
    const res = await fetch(`${api}/api/me`, { credentials: 'include' });
    return { status: res.status, body: (await res.json()) as { email?: string; error?: { code: string } } };
  }, API);
}

describe('a hostile sibling subdomain tossing cookies cannot hijack or break sign-in', () => {
  it('1. the sibling stores __Secure-/unprefixed cookies on .example.test, but no __Host- cookie', async () => {
    const flow = 'Domain=example.test; Path=/auth/callback; Secure';
    await tossFromSibling([
      `${COOKIE}=${attackerToken}; Domain=example.test; Path=/auth; Secure`,
      `__Secure-authjs.state=tossed; ${flow}`,
      `__Secure-authjs.pkce.code_verifier=tossed; ${flow}`,
      `__Secure-authjs.nonce=tossed; ${flow}`,
      '__Secure-authjs.callback-url=javascript:alert(1); Domain=example.test; Path=/; Secure',
      'authjs.callback-url=foo; Domain=example.test; Path=/',
      '__Host-authjs.csrf-token=x; Domain=example.test; Path=/; Secure',
      `__Host-authjs.callback-url=${EVIL_SIBLING}/; Domain=example.test; Path=/; Secure`,
    ]);
    const stored = await context.cookies();
    expect(
      stored
        .filter(tossed)
        .map((c) => `${c.name} ${c.path}`)
        .sort(),
    ).toEqual(
      [
        `${COOKIE} /auth`,
        '__Secure-authjs.callback-url /',
        '__Secure-authjs.nonce /auth/callback',
        '__Secure-authjs.pkce.code_verifier /auth/callback',
        '__Secure-authjs.state /auth/callback',
        'authjs.callback-url /',
      ].sort(),
    );
    expect(stored.filter((c) => c.name.startsWith('__Host-'))).toEqual([]);
  });

  it('2. the victim still signs in through the app, as themselves', async () => {
    await pauseAtProvider((cookies) => {
      cookiesAtAuthorize = cookies;
    });
    await page.goto(`${APP}/`);
    await page.locator('#signed-out').waitFor();
    // One click: the app's link (signInUrl from @sitewide/verify/browser) starts the flow at the API, straight to the provider.
    expect(await page.locator('#sign-in').getAttribute('href')).toBe(
      `${API}/auth/signin/google?callbackUrl=${encodeURIComponent(`${APP}/`)}`,
    );
    await page.click('#sign-in');
    await page.waitForURL((url) => url.origin === APP || url.pathname.startsWith('/auth/error'));
    expect(page.url()).toBe(`${APP}/`);
    await page.locator('#signed-in').waitFor();
    expect(await page.locator('#email').textContent()).toBe(DEFAULT_IDENTITY.email);
    expect(await meFromApp()).toMatchObject({ status: 200, body: { email: DEFAULT_IDENTITY.email } });
    victimToken = (await context.cookies(API)).find((c) => c.name === COOKIE && c.path === '/')?.value;
    expect(victimToken).toBeDefined();
    expect(victimToken).not.toBe(attackerToken);
  });

  it('3. the API keeps its flow cookies host-only under __Host- names', async () => {
    const flowNames = (cookies: Cookie[]) =>
      cookies
        .filter((c) => hostOnlyOnApi(c) && c.name.includes('authjs.'))
        .map((c) => c.name)
        .sort();
    expect(flowNames(cookiesAtAuthorize)).toEqual([...FLOW_COOKIES].sort());
    for (const c of cookiesAtAuthorize.filter((c) => c.name.includes('authjs.') && hostOnlyOnApi(c))) {
      expect(c).toMatchObject({ path: '/', secure: true, httpOnly: true });
    }
    // State, PKCE verifier and nonce are single-use: the callback cleared them.
    expect(flowNames(await context.cookies(API))).toEqual(['__Host-authjs.callback-url', '__Host-authjs.csrf-token']);
  });

  it('4. signing out from the app revokes the victim session in D1 and clears its cookie', async () => {
    if (!victimToken) throw new Error('no victim session to sign out (the sign-in above failed)');
    const sid = sidOf(victimToken);
    expect(sid).toMatch(/^[0-9a-f-]{36}$/);
    // The app's link, then the one button of the API's sign-out page.
    await page.click('#sign-out');
    await page.waitForURL(`${API}/auth/signout?**`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${APP}/`);
    await page.locator('#signed-out').waitFor();
    expect(await meFromApp()).toMatchObject({ status: 401, body: { error: { code: 'missing_session' } } });

    const [row] = queryD1<{ revoked_at: number | null; sign_outs: number }>(
      sitewide,
      `SELECT revoked_at, (SELECT count(*) FROM auth_events WHERE session_id = sessions.id AND kind = 'sign_out') AS sign_outs
       FROM sessions WHERE id = '${sid}'`,
    );
    expect(row).toEqual({ revoked_at: expect.any(Number), sign_outs: 1 });

    // Only the attacker's own tossed cookie (Path=/auth) may remain: nothing of the victim's.
    const left = (await context.cookies()).filter((c) => c.name === COOKIE && tossed(c));
    expect(left.filter((c) => c.value !== attackerToken)).toEqual([]);
  });
});
