/** Small HTTP helpers the end-to-end tests share (Node's fetch against loopback servers). */
import { decodeJwt } from 'jose';
import { parseSetCookie } from '../support/cookies';
import type { ApiFetch } from '../support/sign-in-flow';
import { type RunningExample, startExample } from './examples';

/** An ApiFetch against `origin`: the jar's cookies sent, redirects not followed. */
export function apiFetchFor(origin: string): ApiFetch {
  return (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.jar?.size) headers.set('cookie', init.jar.header());
    return fetch(new URL(path, origin), { ...init, headers, redirect: 'manual' });
  };
}

export interface ParsedAnswer {
  status: number;
  setCookie: ReturnType<typeof parseSetCookie>[];
  /** The JSON body, or `{ html }` when the body is not JSON. */
  body: { html?: string; error?: { code: string; message: string; hint?: string }; [key: string]: unknown };
}

/** GET `url` (redirects not followed): status, parsed Set-Cookie headers, and the body as JSON or `{ html }`. */
export async function getParsed(url: string, headers: Record<string, string> = {}): Promise<ParsedAnswer> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  const text = await res.text();
  let body: ParsedAnswer['body'];
  try {
    body = JSON.parse(text);
  } catch {
    body = { html: text };
  }
  return { status: res.status, setCookie: res.headers.getSetCookie().map(parseSetCookie), body };
}

/** Waits until `jwt` has expired (plus a second). */
export async function untilExpired(jwt: string): Promise<void> {
  const exp = Number(decodeJwt(jwt).exp) * 1000;
  await new Promise((r) => setTimeout(r, Math.max(0, exp + 1100 - Date.now())));
}

/**
 * The Express example (examples/express-verifier, on @sitewide/verify) started as its README says
 * (`npm start`), on a free loopback port (or `port`), trusting `issuer`.
 */
export function startExpressSibling(issuer: string, audience: string, port?: number): Promise<RunningExample> {
  return startExample({
    dir: 'examples/express-verifier',
    env: { SITEWIDE_ISSUER: issuer, AUDIENCE: audience },
    ...(port ? { port } : {}),
  });
}
