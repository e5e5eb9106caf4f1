import { describe, expect, it } from 'vitest';
import { CookieJar } from './support/cookies';
import { codeOf } from './support/http';
import { API, api } from './support/worker';

// Auth.js's built-in pages are not in the Worker's bundle (wrangler.toml [alias] ->
// src/bundle/no-authjs-pages.ts). The vitest plugin does not apply wrangler's [alias], so here Auth.js
// still has preact: these tests pin that no route lets it render a page (a 200 text/html from Auth.js
// would mean the production bundle throws there). test/e2e/production-build.test.ts runs the same
// requests under `wrangler dev`, which applies the alias.

describe('Auth.js never renders one of its own pages (they are not bundled: src/bundle/no-authjs-pages.ts)', () => {
  it('GET /auth/signout: 405 method_not_allowed, Allow: POST (only a POST with the CSRF token signs out)', async () => {
    const res = await api('/auth/signout');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(await codeOf(res)).toBe('method_not_allowed');
  });

  it('GET /auth/signin/ (Auth.js would render its provider list): a redirect to our sign-in page', async () => {
    const res = await api('/auth/signin/');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/auth/signin?callbackUrl=${encodeURIComponent(API)}`);
  });

  it('POST /auth/signin/google without the CSRF pair: a redirect to our sign-in page with the error', async () => {
    const res = await api('/auth/signin/google', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'csrfToken=forged',
      jar: new CookieJar(),
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${API}/auth/signin?error=MissingCSRF`);
  });
});
