import { exports } from 'cloudflare:workers';
import type { ApiFetch } from './sign-in-flow';

/** The Worker's own origin (AUTH_URL in vitest.config.ts): issuer and audience of its tokens. */
export const API = 'https://api.example.test';
export const SESSION_COOKIE = '__Secure-sitewide.session';

/** Sends a request to the Worker under test (in-process, in workerd). */
export const api: ApiFetch = (path, init = {}) => {
  const headers = new Headers(init.headers);
  if (init.jar?.size) headers.set('cookie', init.jar.header());
  return exports.default.fetch(new Request(new URL(path, API), { ...init, headers, redirect: 'manual' }));
};
