// Every Auth.js and /api route, called with a generated jar (test/hostile-siblings.property.test.ts).
import fc from 'fast-check';
import { expect } from 'vitest';
import { setCookies } from './cookies';
import { type Cookie, cookie, cookieHeader, HOSTILE_TEXT, hostileUrl } from './hostile-jars';
import { APP_ORIGIN, FORM } from './http';
import { api } from './worker';

export interface CsrfPair {
  /** `name=value` of the CSRF cookie GET /auth/csrf set. */
  cookie: Cookie;
  token: string;
}

export async function csrfPair(): Promise<CsrfPair> {
  const res = await api('/auth/csrf');
  expect(res.status).toBe(200);
  const set = setCookies(res).find((c) => c.name.endsWith('authjs.csrf-token'));
  if (!set) throw new Error('GET /auth/csrf set no CSRF cookie');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: cookie(set.name, set.value, 'genuine csrf'), token: csrfToken };
}

export interface RouteParams {
  /** GET /auth/signin?callbackUrl= */
  signInPageCallbackUrl: string;
  /** Put the value in the query as it is (let URL parsing deal with it), or percent-encoded. */
  rawQuery: boolean;
  /** POST /auth/signin/google: the form's csrfToken (the real one, a forged one, none) and callbackUrl. */
  signInCsrf: 'valid' | 'forged' | 'none';
  forgedCsrf: string;
  signInCallbackUrl: string;
  signOutCallbackUrl: string;
  /** POST /auth/signout without the valid pair: a forged token, or none. */
  signOutForgedCsrf: string | null;
  errorKind: string;
  /** Where the genuine CSRF cookie goes when it is sent: before or after the jar (a tossed one may precede it). */
  csrfCookieFirst: boolean;
}

export const routeParams: fc.Arbitrary<RouteParams> = fc.record({
  signInPageCallbackUrl: hostileUrl,
  rawQuery: fc.boolean(),
  signInCsrf: fc.constantFrom('valid', 'forged', 'none'),
  forgedCsrf: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...HOSTILE_TEXT)),
  signInCallbackUrl: hostileUrl,
  signOutCallbackUrl: hostileUrl,
  signOutForgedCsrf: fc.option(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...HOSTILE_TEXT))),
  errorKind: fc.oneof(fc.constantFrom('AccessDenied', 'Configuration', 'Verification', 'Default'), hostileUrl),
  csrfCookieFirst: fc.boolean(),
});

export interface RouteCall {
  label: string;
  path: string;
  init: RequestInit;
}

export function query(name: string, value: string, raw: boolean) {
  return `?${name}=${raw ? value : encodeURIComponent(value)}`;
}

/** Every Auth.js route and every /api route, with this jar (and the genuine CSRF pair where noted). */
export function everyRoute(jar: readonly Cookie[], params: RouteParams, csrf: CsrfPair): RouteCall[] {
  const plain = cookieHeader(jar);
  const withCsrf = cookieHeader(params.csrfCookieFirst ? [csrf.cookie, ...jar] : [...jar, csrf.cookie]);
  const get = (label: string, path: string): RouteCall => ({
    label,
    path,
    init: { headers: plain ? { cookie: plain } : {} },
  });
  const form = (fields: Record<string, string | null>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) if (v !== null) body.set(k, v);
    return body;
  };
  // From the app's page: the Origin check passes, so Auth.js's CSRF check is what these calls exercise.
  const post = (label: string, path: string, header: string, body: URLSearchParams): RouteCall => ({
    label,
    path,
    init: { method: 'POST', headers: { ...FORM, origin: APP_ORIGIN, ...(header ? { cookie: header } : {}) }, body },
  });
  const signInCsrf = { valid: csrf.token, forged: params.forgedCsrf, none: null }[params.signInCsrf];
  return [
    get('GET /auth/csrf', '/auth/csrf'),
    get('GET /auth/signin', '/auth/signin'),
    get(
      'GET /auth/signin?callbackUrl',
      `/auth/signin${query('callbackUrl', params.signInPageCallbackUrl, params.rawQuery)}`,
    ),
    post(
      `POST /auth/signin/google (${params.signInCsrf} csrf)`,
      '/auth/signin/google',
      params.signInCsrf === 'valid' ? withCsrf : plain,
      form({ csrfToken: signInCsrf, callbackUrl: params.signInCallbackUrl }),
    ),
    get(
      'GET /auth/signin/google?callbackUrl (one click)',
      `/auth/signin/google${query('callbackUrl', params.signInPageCallbackUrl, params.rawQuery)}`,
    ),
    get('GET /auth/callback/google', '/auth/callback/google?code=x&state=y'),
    post(
      'POST /auth/signout (valid csrf pair)',
      '/auth/signout',
      withCsrf,
      form({ csrfToken: csrf.token, callbackUrl: params.signOutCallbackUrl }),
    ),
    post(
      `POST /auth/signout (${params.signOutForgedCsrf === null ? 'no' : 'forged'} csrf)`,
      '/auth/signout',
      plain,
      form({ csrfToken: params.signOutForgedCsrf, callbackUrl: params.signOutCallbackUrl }),
    ),
    get('GET /auth/session', '/auth/session'),
    get('GET /auth/providers', '/auth/providers'),
    get('GET /auth/error', `/auth/error${query('error', params.errorKind, params.rawQuery)}`),
    get('GET /auth/diagnose', '/auth/diagnose'),
    get('GET /api/me', '/api/me'),
    get('GET /api/sessions', '/api/sessions'),
    {
      // No Origin requirement: from the hostile sibling itself.
      label: 'POST /auth/refresh',
      path: '/auth/refresh',
      init: { method: 'POST', headers: { origin: 'https://evil.example.test', ...(plain ? { cookie: plain } : {}) } },
    },
    {
      label: 'POST /api/sessions/revoke-all',
      path: '/api/sessions/revoke-all',
      init: { method: 'POST', headers: { origin: APP_ORIGIN, ...(plain ? { cookie: plain } : {}) } },
    },
  ];
}

/** Sends each call in turn (revocations change D1), keeping its label with its response. */
export async function send(calls: RouteCall[]): Promise<Array<{ call: RouteCall; res: Response }>> {
  const out: Array<{ call: RouteCall; res: Response }> = [];
  for (const call of calls) out.push({ call, res: await api(call.path, call.init) });
  return out;
}
