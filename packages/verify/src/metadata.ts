/**
 * Sitewide's `/.well-known/sitewide.json`, read once per verifier: the cookie name and domain, the
 * JWKS (cached by jose, refetched for an unknown `kid`) and the revocation feed. A failed read is
 * not kept: the next request tries again.
 */
import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';

/** `/.well-known/sitewide.json`, the fields read here. */
export interface SitewideMetadata {
  issuer: string;
  jwks_uri: string;
  session_cookie: { name: string; domain: string | null };
  /** The revocation feed and how often to poll it (seconds); absent from an older Sitewide. */
  revocations_uri?: string;
  revocation_poll?: number;
}

export interface LoadedMetadata {
  meta: SitewideMetadata;
  jwks: JWTVerifyGetKey;
}

/** Sitewide unreachable (503), or `misconfigured` (500: the issuer option is wrong). */
export class MetadataError extends Error {
  constructor(
    message: string,
    readonly misconfigured = false,
  ) {
    super(message);
    this.name = 'MetadataError';
  }
}

export const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * A loader of `${issuer}/.well-known/sitewide.json` and the key set it names, memoized while it
 * succeeds. `jwksFetch`, when given, carries the JWKS requests too (a service binding's fetch).
 */
export function metadataLoader(
  issuer: string,
  fetchImpl: typeof fetch,
  jwksFetch?: typeof fetch,
): () => Promise<LoadedMetadata> {
  const url = `${issuer}/.well-known/sitewide.json`;
  let loading: Promise<LoadedMetadata> | undefined;

  async function load(): Promise<LoadedMetadata> {
    const res = await fetchImpl(url, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new MetadataError(`${url} answered ${res.status}`);
    const meta = (await res.json()) as SitewideMetadata;
    if (!meta?.session_cookie?.name || !meta.jwks_uri) {
      throw new MetadataError(`${url} lacks session_cookie.name or jwks_uri`);
    }
    if (trimSlash(String(meta.issuer)) !== issuer) {
      throw new MetadataError(
        `${url} names the issuer ${String(meta.issuer)}: set issuer to exactly that origin`,
        true,
      );
    }
    const jwks = createRemoteJWKSet(new URL(meta.jwks_uri), jwksFetch ? { [customFetch]: jwksFetch } : {});
    return { meta, jwks };
  }

  return function loadMetadata() {
    if (!loading) {
      const attempt = load();
      loading = attempt;
      attempt.catch(() => {
        if (loading === attempt) loading = undefined;
      });
    }
    return loading;
  };
}
