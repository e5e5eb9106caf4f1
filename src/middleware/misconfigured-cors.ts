import { isLocalhost } from '../config/domain-rules';

/**
 * Which Origin may read a `500 misconfigured` answer. The config did not parse, so the set of
 * allowed origins on `c.var` does not exist: ALLOWED_ORIGINS is read here on its own, leniently
 * (an unusable entry is skipped, not fatal), for this answer only. The request's Origin is
 * returned only when it equals an entry that is exactly an origin, https (http only on localhost,
 * as the config requires): never `*` or `null`,
 * never an origin that is not listed. With it, a sibling app's page (the demo) can show why the
 * API refuses instead of failing on CORS.
 */
export function listedOriginForError(origin: string | null, allowedOrigins: string | undefined): string | undefined {
  if (origin === null || !allowedOrigins) return undefined;
  for (const entry of allowedOrigins.split(',')) {
    const value = entry.trim().replace(/\/$/, '');
    if (value === origin && isOrigin(value)) return origin;
  }
  return undefined;
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && isLocalhost(url.hostname));
    return scheme && url.origin === value;
  } catch {
    return false;
  }
}
