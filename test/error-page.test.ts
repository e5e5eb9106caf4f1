// GET /auth/error for a browser: our error page, in the one look of every page (src/pages/).
import { describe, expect, it } from 'vitest';
import { APP_URL, codeOf } from './support/http';
import { expectTargetsOn, readPage } from './support/pages';
import { apiWith } from './support/policy';
import { API, api } from './support/worker';

const HTML = { accept: 'text/html' };

describe('GET /auth/error (a browser)', () => {
  it('a failed sign-in: 400, "Sign-in failed", the reason in words, "Sign in again" and "Back to the app"', async () => {
    const page = await readPage(await api('/auth/error?error=Verification', { headers: HTML }), 400);
    expect(page).toMatchObject({
      title: 'Sign-in failed · api.example.test',
      site: 'api.example.test',
      h1: 'Sign-in failed',
    });
    expect(page.html).toContain('<p>The sign-in attempt expired or was already used. Please start again.</p>');
    expect(page.hrefs).toEqual([`${API}/auth/signin`, APP_URL]);
    expectTargetsOn(page, API, [APP_URL]);
  });

  it('the code in the URL never reaches the page: unknown or hostile ones get the general sentence', async () => {
    for (const kind of ['Nonsense', '"><script>alert(1)</script>', '<b>hi</b>']) {
      const page = await readPage(await api(`/auth/error?error=${encodeURIComponent(kind)}`, { headers: HTML }), 400);
      expect(page.html).toContain('<p>Sign-in could not be completed. Please try again.</p>');
      expect(page.html).not.toContain(kind.slice(0, 6));
    }
  });

  it('a disabled account: 403 "Access denied"', async () => {
    const page = await readPage(await api('/auth/error?error=AccessDenied', { headers: HTML }), 403);
    expect(page).toMatchObject({ title: 'Access denied · api.example.test', h1: 'Access denied' });
  });

  it('SITE_NAME is escaped in the title and the site line', async () => {
    const named = apiWith({ SITE_NAME: '</title><script>x</script>' } as Record<string, string>);
    const page = await readPage(await named('/auth/error?error=Verification', { headers: HTML }), 400);
    expect(page.site).toBe('</title><script>x</script>');
    expect(page.html).not.toContain('<script>');
  });

  it('an API caller keeps the JSON error, with the code in its message', async () => {
    const res = await api('/auth/error?error=Verification');
    expect(res.status).toBe(400);
    expect(await codeOf(res)).toBe('sign_in_failed');
  });
});
