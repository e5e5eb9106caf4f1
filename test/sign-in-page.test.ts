// GET /auth/signin: our own page (site name, one "Continue with Google" link, the error in words).
import { describe, expect, it } from 'vitest';
import { CookieJar } from './support/cookies';
import { APP_ORIGIN, APP_URL } from './support/http';
import { apiWith } from './support/policy';
import { API, api } from './support/worker';

const page = async (query = '') => {
  const res = await api(`/auth/signin${query}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/html');
  return res.text();
};

/** The href of the one link, HTML-unescaped. */
function buttonHref(html: string): string {
  const match = /<a class="button" href="([^"]*)">Continue with Google<\/a>/.exec(html);
  if (!match) throw new Error(`no "Continue with Google" link in ${html}`);
  return (match[1] ?? '').replaceAll('&amp;', '&');
}

describe('GET /auth/signin', () => {
  it('no external URL, script, image, stylesheet link or form in the HTML', async () => {
    const html = await page(`?callbackUrl=${encodeURIComponent(`${APP_ORIGIN}/home`)}`);
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9]/i);
    expect(html).not.toMatch(/<(script|img|link|iframe|form)\b/i);
    expect(html).not.toMatch(/\bsrc=/i);
    const res = await api('/auth/signin');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('the site name: SITE_NAME, else the API host', async () => {
    expect(await page()).toContain('<h1>Sign in to api.example.test</h1>');
    const named = apiWith({ SITE_NAME: 'Acme <Tools>' } as Record<string, string>);
    const html = await (await named('/auth/signin')).text();
    expect(html).toContain('<title>Sign in to Acme &lt;Tools&gt;</title>');
  });

  it('the button is a plain link to the one-click start with the sanitized callbackUrl', async () => {
    const href = buttonHref(await page(`?callbackUrl=${encodeURIComponent(`${APP_ORIGIN}/home?a=1&b=2`)}`));
    const url = new URL(href, API);
    expect(url.origin + url.pathname).toBe(`${API}/auth/signin/google`);
    expect(href.startsWith('/auth/signin/google?')).toBe(true);
    expect(url.searchParams.get('callbackUrl')).toBe(`${APP_ORIGIN}/home?a=1&b=2`);
  });

  for (const hostile of ['https://evil.test/', '%ff%fe', 'javascript:alert(1)', '"><script>alert(1)</script>']) {
    it(`a callbackUrl outside the policy (${hostile}) becomes APP_URL in the link`, async () => {
      const href = buttonHref(await page(`?callbackUrl=${encodeURIComponent(hostile)}`));
      expect(new URL(href, API).searchParams.get('callbackUrl')).toBe(APP_URL);
    });
  }

  it('without callbackUrl the link carries none (the sign-in lands on APP_URL)', async () => {
    expect(buttonHref(await page())).toBe('/auth/signin/google');
  });

  it('login_hint and prompt of the page are passed on to the link', async () => {
    const href = buttonHref(await page('?prompt=select_account&login_hint=a%40example.test&scope=evil'));
    const params = new URL(href, API).searchParams;
    expect(params.get('prompt')).toBe('select_account');
    expect(params.get('login_hint')).toBe('a@example.test');
    expect(params.has('scope')).toBe(false);
  });

  it('?error= shows a line in words; unknown codes get a general sentence, never the raw text', async () => {
    expect(await page()).not.toContain('role="alert"');
    expect(await page('?error=MissingCSRF')).toMatch(/role="alert">The sign-in request expired/);
    expect(await page('?error=OAuthSignin')).toContain('Sign-in with Google could not start');
    const odd = await page(`?error=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(odd).toContain('role="alert">Sign-in could not be completed. Please try again.');
    expect(odd).not.toContain('<script');
  });

  it('following the link signs in and lands on the callbackUrl', async () => {
    const jar = new CookieJar();
    const href = buttonHref(await page(`?callbackUrl=${encodeURIComponent(`${APP_ORIGIN}/after`)}`));
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
