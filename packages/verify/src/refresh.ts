/**
 * Renewing an expired session token at Sitewide: `POST ${issuer}/auth/refresh` with that cookie
 * alone, or `refresh(headers)` over a service binding to Sitewide's `SitewideRpc`. Either way the
 * answer is a value: the renewed user and session with the Set-Cookie to forward, or Sitewide's
 * refusal (with any clearing Set-Cookie).
 */
import type { SitewideUser } from './user.ts';

/** What `SitewideRpc.refresh(headers)` (a service binding to Sitewide's named entrypoint) answers. */
export type SitewideRpcResult =
  | {
      ok: true;
      user: Partial<SitewideUser> & { id: string };
      session: { id: string; expiresAt?: string | number | null };
      setCookie: string[];
    }
  | { ok: false; status: number; code: string; message: string; setCookie?: string[] };

/**
 * A Cloudflare service binding to Sitewide's `SitewideRpc` entrypoint
 * (`[[services]] binding = "SITEWIDE", service = "sitewide", entrypoint = "SitewideRpc"`).
 */
export interface SitewideBinding {
  refresh(headers: [string, string][] | Record<string, string>): Promise<SitewideRpcResult>;
}

/** Sitewide's error codes are snake_case words; anything else in an answer is not Sitewide's. */
const CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** One renewal of `cookie` (`name=token`), over the binding when there is one, else over HTTP. */
export function renewAtSitewide(
  cookie: string,
  via: { issuer: string; fetch: typeof fetch; binding?: SitewideBinding | undefined },
): Promise<SitewideRpcResult> {
  if (via.binding) return via.binding.refresh([['cookie', cookie]]);
  return refreshOverHttp(cookie, via.issuer, via.fetch);
}

async function refreshOverHttp(cookie: string, issuer: string, fetchImpl: typeof fetch): Promise<SitewideRpcResult> {
  const url = `${issuer}/auth/refresh`;
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: { cookie, accept: 'application/json' },
    redirect: 'manual',
  });
  const setCookie = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [];
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (res.ok) {
    const ok = body as { user?: SitewideUser; session?: { id: string; expiresAt?: string | number } };
    if (ok?.user?.id && ok.session?.id) return { ok: true, user: ok.user, session: ok.session, setCookie };
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (typeof error?.code === 'string' && CODE.test(error.code) && res.status >= 400) {
    const message = typeof error.message === 'string' ? error.message : error.code;
    return { ok: false, status: res.status, code: error.code, message, setCookie };
  }
  return {
    ok: false,
    status: 503,
    code: 'service_unavailable',
    message: `${url} answered ${res.status} without Sitewide's JSON`,
    setCookie,
  };
}
