/**
 * `sitewideClientToken()`: the calling side of a service client (a cron job, CI, another backend,
 * an agent). It gets an access token from Sitewide with `grant_type=client_credentials`
 * (`client_secret_basic`), keeps it until shortly before it expires, and shares one request between
 * concurrent callers. Web APIs only: Node ≥ 20, Workers, Bun, Deno.
 */
import { trimSlash } from './metadata.ts';

export interface SitewideClientTokenOptions {
  /** Sitewide's origin, e.g. `https://api.example.com`. */
  issuer: string;
  /** The client's id and secret, from `npm run admin -- clients create` (keep the secret in a secret store). */
  clientId: string;
  clientSecret: string;
  /** The API the token is for (one of the client's audiences); default: the client's only one. */
  audience?: string;
  /** fetch for the token endpoint (default: the global fetch). */
  fetch?: typeof fetch;
}

/** Call it for a token (cached, renewed shortly before it expires); `reset()` drops the cached one. */
export interface SitewideClientTokenSource {
  (): Promise<string>;
  /** Forget the cached token: the next call asks Sitewide (e.g. after an API answered 401 session_revoked). */
  reset(): void;
}

/**
 * Sitewide refused the grant (`code`: the RFC 6749 error, e.g. `invalid_client`, `invalid_target`;
 * or Sitewide's own, e.g. `rate_limited`), or could not be reached (`service_unavailable`, status 0).
 */
export class SitewideClientTokenError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SitewideClientTokenError';
  }
}

/** How long one token request may take before it fails as `service_unavailable`. */
const TOKEN_TIMEOUT_MS = 10_000;

/** Renew this long before expiry at most (a fifth of the lifetime when that is shorter). */
const RENEW_BEFORE_SECONDS = 60;

/** RFC 6749 §2.3.1: id and secret form-encoded, then `id:secret` as Basic credentials. */
function basicCredentials(id: string, secret: string): string {
  const form = (text: string) => new URLSearchParams({ v: text }).toString().slice(2);
  return `Basic ${btoa(`${form(id)}:${form(secret)}`)}`;
}

async function refusal(res: Response): Promise<SitewideClientTokenError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: unknown; error_description?: unknown } | undefined)?.error;
  if (typeof error === 'string') {
    const description = (body as { error_description?: unknown }).error_description;
    return new SitewideClientTokenError(res.status, error, typeof description === 'string' ? description : error);
  }
  const ours = error as { code?: unknown; message?: unknown } | undefined;
  if (ours && typeof ours.code === 'string') {
    return new SitewideClientTokenError(res.status, ours.code, String(ours.message ?? ours.code));
  }
  return new SitewideClientTokenError(res.status, 'service_unavailable', `the token endpoint answered ${res.status}`);
}

/**
 * A token source for one client and audience. Create it once (module scope) and call it before
 * each request; it asks Sitewide only when it holds no token that lives on for another minute.
 *
 * @example
 * const token = sitewideClientToken({ issuer, clientId, clientSecret, audience: 'https://billing.example.com' });
 * const res = await fetch('https://billing.example.com/api/invoices', {
 *   headers: { authorization: `Bearer ${await token()}` },
 * });
 */
export function sitewideClientToken(options: SitewideClientTokenOptions): SitewideClientTokenSource {
  if (typeof options?.issuer !== 'string' || !/^https?:\/\/[^/]/.test(options.issuer)) {
    throw new TypeError('sitewideClientToken: issuer must be Sitewide’s origin, e.g. https://api.example.com');
  }
  if (!options.clientId || !options.clientSecret) {
    throw new TypeError(
      'sitewideClientToken: clientId and clientSecret are required (npm run admin -- clients create)',
    );
  }
  const endpoint = `${trimSlash(options.issuer)}/auth/token`;
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const authorization = basicCredentials(options.clientId, options.clientSecret);
  let cached: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;

  async function request(): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (options.audience !== undefined) body.set('audience', options.audience);
    let res: Response;
    try {
      res = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        // A hung endpoint must not hang every caller waiting on this request.
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
    } catch (cause) {
      throw new SitewideClientTokenError(
        0,
        'service_unavailable',
        `${endpoint} could not be reached: ${String(cause)}`,
      );
    }
    if (!res.ok) throw await refusal(res);
    let answer: { access_token?: unknown; expires_in?: unknown } | null;
    try {
      answer = (await res.json()) as typeof answer;
    } catch {
      answer = null;
    }
    if (typeof answer?.access_token !== 'string') {
      throw new SitewideClientTokenError(res.status, 'service_unavailable', `${endpoint} answered no access_token`);
    }
    const lifetime = typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 60;
    const margin = Math.min(RENEW_BEFORE_SECONDS, lifetime / 5);
    cached = { token: answer.access_token, renewAt: Date.now() + (lifetime - margin) * 1000 };
    return answer.access_token;
  }

  const source = (() => {
    if (cached && Date.now() < cached.renewAt) return Promise.resolve(cached.token);
    if (!pending) {
      pending = request().finally(() => {
        pending = undefined;
      });
    }
    return pending;
  }) as SitewideClientTokenSource;
  source.reset = () => {
    cached = undefined;
  };
  return source;
}
