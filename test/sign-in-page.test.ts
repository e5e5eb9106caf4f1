// GET /auth/signin: our own page (site name, one "Sign in with Google" button, the error in words).
import { describe, expect, it } from 'vitest';
import { CookieJar } from './support/cookies';
import { APP_ORIGIN, APP_URL } from './support/http';
import { expectTargetsOn, readPage } from './support/pages';
import { apiWith } from './support/policy';
import { API, api } from './support/worker';

const page = async (query = '') => readPage(await api(`/auth/signin${query}`), 200);

/** The Google button's href (HTML-unescaped). */
async function buttonHref(query = ''): Promise<string> {
  const { googleHref } = await page(query);
  if (googleHref === undefined) throw new Error('no Google button on the sign-in page');
  return googleHref;
}

describe('GET /auth/signin', () => {
  it('one look: the site line, "Sign in", the Google button with its G mark; no form, nothing loaded', async () => {
    const parts = await page(`?callbackUrl=${encodeURIComponent(`${APP_ORIGIN}/home`)}`);
    expect(parts).toMatchObject({ title: 'Sign in to api.example.test', site: 'api.example.test', h1: 'Sign in' });
    expect(parts.html).toContain('<span>Sign in with Google</span></a>');
    expect(parts.actions).toEqual([]);
    expectTargetsOn(parts, API);
  });

  it('the site name: SITE_NAME, escaped wherever it appears', async () => {
    const named = apiWith({ SITE_NAME: 'Acme "<Tools>" & <script>alert(1)</script>' } as Record<string, string>);
    const parts = await readPage(await named('/auth/signin'), 200);
    expect(parts.title).toBe('Sign in to Acme "<Tools>" & <script>alert(1)</script>');
    expect(parts.site).toBe('Acme "<Tools>" & <script>alert(1)</script>');
    expect(parts.html).toContain('Acme &quot;&lt;Tools&gt;&quot; &amp; &lt;script&gt;');
  });

  it('the button is a plain link to the one-click start with the sanitized callbackUrl', async () => {
    const href = await buttonHref(`?callbackUrl=${encodeURIComponent(`${APP_ORIGIN}/home?a=1&b=2`)}`);
    const url = new URL(href, API);
    expect(url.origin + url.pathname).toBe(`${API}/auth/signin/google`);
    expect(href.startsWith('/auth/signin/google?')).toBe(true);
    expect(url.searchParams.get('callbackUrl')).toBe(`${APP_ORIGIN}/home?a=1&b=2`);
  });

  for (const hostile of ['https://evil.test/', '%ff%fe', 'javascript:alert(1)', '"><script>alert(1)</script>']) {
    it(`a callbackUrl outside the policy (${hostile}) becomes APP_URL in the link`, async () => {
      const href = await buttonHref(`?callbackUrl=${encodeURIComponent(hostile)}`);
      expect(new URL(href, API).searchParams.get('callbackUrl')).toBe(APP_URL);
    });
  }

  it('without callbackUrl the link carries none (the sign-in lands on APP_URL)', async () => {
    expect(await buttonHref()).toBe('/auth/signin/google');
  });

  it('login_hint and prompt of the page are passed on to the link, escaped', async () => {
    const parts = await page('?prompt=select_account&login_hint=%22%3E%3Cscript%3E&scope=evil');
    const params = new URL(parts.googleHref ?? '', API).searchParams;
    expect(params.get('prompt')).toBe('select_account');
    expect(params.get('login_hint')).toBe('"><script>');
    expect(params.has('scope')).toBe(false);
  });

  it('?error= shows a line in words; unknown codes get a general sentence, never the raw text', async () => {
    expect((await page()).html).not.toContain('role="alert"');
    expect((await page('?error=MissingCSRF')).html).toMatch(/role="alert">The sign-in request expired/);
    expect((await page('?error=OAuthSignin')).html).toContain('Sign-in with Google could not start');
    const odd = (await page(`?error=${encodeURIComponent('<script>alert(1)</script>')}`)).html;
    expect(odd).toContain('role="alert">Sign-in could not be completed. Please try again.');
    expect(odd).not.toContain('alert(1)');
  });

  it('following the link signs in and lands on the callbackUrl', async () => {
    const jar = new CookieJar();
    const href = await buttonHref(`?callbackUrl=${encodeURIComponent(`${APP_ORIGIN}/after`)}`);
    const start = await api(`${href}&login_hint=${encodeURIComponent(JSON.stringify({ sub: 'page-link' }))}`, { jar });
    expect(start.status).toBe(302);
    jar.store(start);
    const authorize = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
    const back = new URL(authorize.headers.get('location') ?? '');
    const callback = await api(back.pathname + back.search, { jar });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe(`${APP_ORIGIN}/after`);
  });
});
