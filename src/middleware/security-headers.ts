/**
 * The security headers every response carries: Hono's `secureHeaders()`
 * defaults with `X-Frame-Options: DENY` and `Cross-Origin-Resource-Policy:
 * same-site`, written out once so the global path sets them in one loop (no
 * options merged or filtered per isolate, no closure per request).
 * test/global-path.test.ts pins them exactly.
 */
export const SECURITY_HEADERS: ReadonlyArray<readonly [name: string, value: string]> = [
  ['Cross-Origin-Resource-Policy', 'same-site'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=15552000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'DENY'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

/** Sets them on a response's headers, replacing any value a handler chose (as `secureHeaders()` does). */
export function setSecurityHeaders(headers: Headers): void {
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
}
