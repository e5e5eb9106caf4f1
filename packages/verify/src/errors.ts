/**
 * Refusals as values: Sitewide's error codes, the failure object every refusal is, and the JSON
 * body Sitewide itself answers with. Hints and messages pass through `plainText` here, and request
 * values are quoted with `quote`, so no value from a request can forge a line in a log: a token's
 * header is attacker-chosen JSON whose `typ` or `kid` may hold CR/LF, ANSI escapes, Unicode line
 * separators or bidi overrides.
 */
/** Sitewide's error codes (docs/api.md "Errors" in Sitewide's repository); a newer Sitewide may send others. */
export type SitewideErrorCode =
  | 'missing_session'
  | 'invalid_session'
  | 'session_expired'
  | 'session_revoked'
  | 'user_not_found'
  | 'user_disabled'
  | 'access_denied'
  | 'client_not_allowed'
  | 'rate_limited'
  | 'misconfigured'
  | 'service_unavailable'
  | 'internal_error'
  | (string & {});

export interface SitewideFailure {
  ok: false;
  status: number;
  code: SitewideErrorCode;
  message: string;
  /**
   * The likely cause, for the developer reading the log (e.g. "this host may be outside
   * COOKIE_DOMAIN"). One line: values from the request are quoted JSON-style, control characters
   * escaped, at most 400 characters.
   */
  hint: string | null;
  /** Set-Cookie values Sitewide sent with a refused refresh (clearing the cookie); forward them too. */
  setCookie: string[];
}

const MAX_MESSAGE = 300;
const MAX_HINT = 400;

/** The status each code of Sitewide's comes with, when an answer lacks one. */
export const ERROR_STATUS: Readonly<Record<string, number>> = {
  missing_session: 401,
  invalid_session: 401,
  session_expired: 401,
  session_revoked: 401,
  user_not_found: 401,
  user_disabled: 403,
  access_denied: 403,
  client_not_allowed: 403,
  rate_limited: 429,
};

/** A failure; its message and hint are made single-line and capped. */
export function fail(
  status: number,
  code: SitewideErrorCode,
  message: string,
  hint: string | null = null,
  setCookie: string[] = [],
): SitewideFailure {
  return {
    ok: false,
    status,
    code,
    message: plainText(message, MAX_MESSAGE),
    hint: hint === null ? null : plainText(hint, MAX_HINT),
    setCookie,
  };
}

/** The 403 for a user without any of the required roles. */
export function accessDenied(roles: readonly string[]): SitewideFailure {
  return fail(403, 'access_denied', `Requires one of the roles: ${roles.join(', ')}`, null);
}

/** The body Sitewide itself answers failures with, plus the hint: `{"error":{"code","message","hint"?}}`. */
export function errorBody(failure: SitewideFailure): {
  error: { code: string; message: string; hint?: string };
} {
  return {
    error: {
      code: failure.code,
      message: failure.message,
      ...(failure.hint ? { hint: failure.hint } : {}),
    },
  };
}

// C0 controls, DEL, C1 controls (NEL U+0085 included), U+2028/U+2029 (line and paragraph
// separators), the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeUnsafe = (text: string) =>
  text.replace(UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);

function cap(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** `text` on one line: unsafe characters escaped as `\uXXXX`, cut to `max` characters (then `…`). */
export function plainText(text: string, max: number): string {
  return cap(escapeUnsafe(text), max);
}

/**
 * A value as a JSON literal, e.g. `"at+jwt"`, `null`, `["a","b"]`: strings cut to `max` characters
 * first, every control or bidi character escaped. For quoting request values in hints.
 *
 * @example quote('x\r\nFAKE LOG LINE') // '"x\\r\\nFAKE LOG LINE"'
 */
export function quote(value: unknown, max = 80): string {
  if (typeof value === 'string') return escapeUnsafe(JSON.stringify(cap(value, max)));
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  return escapeUnsafe(cap(json ?? String(value), max));
}
