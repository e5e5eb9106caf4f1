import { WorkerEntrypoint } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config/config';
import type { ErrorBody } from './errors';
import { readFeed } from './revocation/snapshot';
import type { RevocationPage } from './revocation/types';
import { readSessionCookie } from './session/cookie';

/** Headers as a sibling Worker forwards them from its own request (a record, or entries). */
export type ForwardedHeaders = Record<string, string> | Array<[string, string]>;

export interface RpcUser {
  id: string;
  email: string | null;
  name: string | null;
  image: string | null;
  roles: string[];
}

/**
 * What `verify` and `refresh` answer: plain data (structured-clone safe).
 * `setCookie` holds every Set-Cookie header the API answered (a renewed
 * session cookie, clears of tossed copies): the sibling adds each to its own
 * response, as it would forward them from `POST /auth/refresh`.
 */
export type RpcOutcome =
  | {
      ok: true;
      user: RpcUser;
      /** `expiresAt`: when the session ends, known when it was renewed (absent for a fresh token: no D1 read). */
      session: { id: string; expiresAt?: string };
      setCookie: string[];
    }
  | { ok: false; status: number; code: string; message: string; setCookie: string[] };

/** One app per isolate, as the fetch handler: the same routes, middleware and rules. */
let shared: ReturnType<typeof createApp> | undefined;
const appOf = () => {
  shared ??= createApp();
  return shared;
};

/** The token the app accepted for these headers: the Bearer token, else the (renewed) session cookie. */
function acceptedToken(headers: Headers, setCookie: string[], cookieName: string): string | undefined {
  const bearer = /^bearer +(\S+) *$/i.exec(headers.get('authorization') ?? '')?.[1];
  if (bearer) return bearer;
  const renewed = setCookie.find((h) => h.startsWith(`${cookieName}=`) && !h.startsWith(`${cookieName}=;`));
  if (renewed) return renewed.slice(cookieName.length + 1).split(';')[0];
  // The one session-cookie reader (a duplicate never reaches here: the app refused it).
  const read = readSessionCookie(headers.get('cookie'), cookieName);
  return read.kind === 'present' ? read.value : undefined;
}

/** The session cookie's Max-Age in a Set-Cookie header, as the session's end. */
function expiresAtOf(setCookie: string[], cookieName: string, at: number): string | undefined {
  const renewed = setCookie.find((h) => h.startsWith(`${cookieName}=`) && !h.startsWith(`${cookieName}=;`));
  const maxAge = renewed && /;\s*max-age=(\d+)/i.exec(renewed)?.[1];
  return maxAge ? new Date(at + Number(maxAge) * 1000).toISOString() : undefined;
}

/**
 * The service binding a sibling Worker on the same account uses instead of
 * HTTP: `[[services]] binding = "SITEWIDE", service = "sitewide",
 * entrypoint = "SitewideRpc"`. Each method runs the app itself on a synthetic
 * request to AUTH_URL carrying the sibling's headers, so the answer is exactly
 * what the HTTP route would give those headers.
 */
export class SitewideRpc extends WorkerEntrypoint<Env> {
  /** `GET /api/me` for these headers (the session cookie, or `Authorization: Bearer`); renews an expired cookie. */
  async verify(headers: ForwardedHeaders): Promise<RpcOutcome> {
    return this.run('GET', '/api/me', headers, (body, res, sent, at, cookieName) => {
      const user = body as RpcUser;
      const token = acceptedToken(sent, res.setCookie, cookieName);
      const sid = token ? decodeJwt(token).sid : undefined;
      const expiresAt = expiresAtOf(res.setCookie, cookieName, at);
      return {
        ok: true,
        user: { id: user.id, email: user.email, name: user.name, image: user.image, roles: [...user.roles] },
        session: { id: typeof sid === 'string' ? sid : '', ...(expiresAt ? { expiresAt } : {}) },
        setCookie: res.setCookie,
      };
    });
  }

  /** `POST /auth/refresh` for these headers (the session cookie only): renews it against D1. */
  async refresh(headers: ForwardedHeaders): Promise<RpcOutcome> {
    return this.run('POST', '/auth/refresh', headers, (body, res) => {
      const { user, session } = body as { user: RpcUser; session: { id: string; expiresAt: string } };
      return { ok: true, user, session, setCookie: res.setCookie };
    });
  }

  /**
   * The revocation feed after `since` (0: everything held), as
   * `GET /.well-known/sitewide-revocations` serves it: poll it every
   * REVOCATION_POLL seconds with the last `cursor`, and refuse a token whose
   * `sid` is listed or whose `iat` is before its user's `before`.
   */
  async revocations(since = 0): Promise<RevocationPage> {
    const config = loadConfig(this.env);
    if (config instanceof ConfigError) throw new Error(`Sitewide is misconfigured: ${config.message}`);
    const cursor = Number.isSafeInteger(since) && since >= 0 ? since : 0;
    return readFeed(this.env.REVOCATION_FEED, config, cursor);
  }

  private async run(
    method: 'GET' | 'POST',
    path: string,
    forwarded: ForwardedHeaders,
    ok: (body: unknown, res: { setCookie: string[] }, sent: Headers, at: number, cookieName: string) => RpcOutcome,
  ): Promise<RpcOutcome> {
    const headers = new Headers(forwarded);
    // Framing headers of the sibling's own request mean nothing for this one.
    for (const name of ['content-length', 'content-type', 'transfer-encoding', 'host']) headers.delete(name);
    const at = Date.now();
    const config = loadConfig(this.env);
    // Misconfigured: the app answers 500 misconfigured, whatever the URL.
    const [origin, cookieName] =
      config instanceof ConfigError ? ['https://sitewide.invalid', ''] : [config.apiOrigin, config.sessionCookieName];
    const response = await appOf().fetch(new Request(`${origin}${path}`, { method, headers }), this.env, this.ctx);
    const setCookie = response.headers.getSetCookie();
    const body = (await response.json().catch(() => ({}))) as Partial<ErrorBody> & Record<string, unknown>;
    if (response.status === 200) return ok(body, { setCookie }, headers, at, cookieName);
    return {
      ok: false,
      status: response.status,
      code: body.error?.code ?? 'internal_error',
      message: body.error?.message ?? `Sitewide answered ${response.status}`,
      setCookie,
    };
  }
}
