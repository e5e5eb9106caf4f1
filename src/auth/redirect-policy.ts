export interface RedirectPolicy {
  apiOrigin: string;
  allowedOrigins: ReadonlySet<string>;
  appUrl: string;
}

/**
 * Where to send a browser after sign-in or sign-out. Paths (`/…`, resolved on
 * the API origin) and URLs on an allowed origin are kept; everything else
 * (other hosts, `//host`, `/\host`, look-alike suffixes, userinfo tricks,
 * `javascript:`, text that is neither a URL nor a path) lands on APP_URL.
 * Deciding on the WHATWG-parsed origin, not on string prefixes, is what makes
 * the look-alikes harmless. The answer is always an absolute http(s) URL.
 */
export function resolveRedirect(target: unknown, policy: RedirectPolicy): string {
  if (typeof target !== 'string') return policy.appUrl;
  let url: URL;
  try {
    url = target.startsWith('/') ? new URL(target, policy.apiOrigin) : new URL(target);
  } catch {
    return policy.appUrl;
  }
  if (url.username || url.password) return policy.appUrl;
  if (url.origin === policy.apiOrigin || policy.allowedOrigins.has(url.origin)) return url.href;
  return policy.appUrl;
}

/** The redirect policy of a Config. */
export function redirectPolicyOf(config: {
  apiOrigin: string;
  allowedOrigins: ReadonlySet<string>;
  appUrl: string;
}): RedirectPolicy {
  return { apiOrigin: config.apiOrigin, allowedOrigins: config.allowedOrigins, appUrl: config.appUrl };
}
