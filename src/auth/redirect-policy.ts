export interface RedirectPolicy {
  apiOrigin: string;
  allowedOrigins: ReadonlySet<string>;
  appUrl: string;
}

/**
 * Where to send a browser after sign-in or sign-out. Relative paths (resolved
 * on the API origin) and URLs on an allowed origin are kept; everything else
 * (other hosts, `//host`, `/\host`, look-alike suffixes, userinfo tricks,
 * `javascript:`) lands on APP_URL. Deciding on the WHATWG-parsed origin, not on
 * string prefixes, is what makes the look-alikes harmless.
 */
export function resolveRedirect(target: string, policy: RedirectPolicy): string {
  let url: URL;
  try {
    url = new URL(target, policy.apiOrigin);
  } catch {
    return policy.appUrl;
  }
  if (url.username || url.password) return policy.appUrl;
  if (url.origin === policy.apiOrigin || policy.allowedOrigins.has(url.origin)) return url.href;
  return policy.appUrl;
}
