import { ConfigError } from '../config/config-error';

/**
 * A gate's `public` paths: requests to them pass with no session. Two forms:
 * an exact path (`/healthz`) and a prefix ending in `/*` (`/assets/*`: every
 * path under `/assets/`, not `/assets` itself).
 */
export interface PublicPaths {
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
}

const NONE: PublicPaths = Object.freeze({ exact: new Set<string>(), prefixes: Object.freeze([]) });

// Letters, digits and the path characters of RFC 3986 but `%` and `;`: a pattern means what it says to every origin.
const PATTERN = /^\/[A-Za-z0-9\-._~!$&'()+,=:@/]*(\/\*)?$/;

export function parsePublicPaths(where: string, value: unknown): PublicPaths {
  if (value === undefined) return NONE;
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) {
    throw new ConfigError(`${where} public must be a list of paths, e.g. ["/healthz", "/assets/*"]`);
  }
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const pattern of value as string[]) {
    if (!PATTERN.test(pattern) || /(^|\/)\.\.?(\/|$)/.test(pattern) || pattern.startsWith('/_sitewide')) {
      throw new ConfigError(
        `${where} public path '${pattern}' must be a path like /healthz or a prefix like /assets/* (no %, ;, dot segments, ? or other *; not under /_sitewide/)`,
      );
    }
    if (pattern.endsWith('/*')) prefixes.push(pattern.slice(0, -1));
    else exact.add(pattern);
  }
  return Object.freeze({ exact, prefixes: Object.freeze(prefixes) });
}

/**
 * Percent-encoded `/`, `\` or `.`, a backslash, or `;` (path parameters): an
 * origin may decode or normalise these into another path than the one matched
 * here (`/assets/..%2fadmin`, `/assets/..;/admin`), so such a path is never
 * public: it is authenticated like any other.
 */
const AMBIGUOUS = /%2f|%5c|%2e|\\|;/i;

/** Does `path` (a URL's pathname, dot segments already resolved by the URL parser) pass without a session? */
export function isPublicPath(paths: PublicPaths, path: string): boolean {
  if (paths.exact.size === 0 && paths.prefixes.length === 0) return false;
  if (AMBIGUOUS.test(path)) return false;
  if (paths.exact.has(path)) return true;
  for (const prefix of paths.prefixes) if (path.startsWith(prefix)) return true;
  return false;
}
