// What the demo shows people instead of codes: a device in words ("Chrome on Linux") for a
// session's user agent, and a sentence for each of Sitewide's stable error codes. Pure functions
// (no DOM), unit-tested in test/demo-words.test.ts.

/** Browsers by their user-agent token, most specific first (Edge and Opera also say "Chrome"; Chrome also says "Safari"). */
const BROWSERS = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(HeadlessChrome|Chrome|Chromium|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
  [/^curl\//, 'curl'],
];

/** Systems, most specific first (iPadOS and iOS also say "Mac OS X"; Android also says "Linux"). */
const SYSTEMS = [
  [/\b(iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\b(Macintosh|Mac OS X)\b/, 'macOS'],
  [/\b(Linux|X11)\b/, 'Linux'],
];

const firstMatch = (table, text) => table.find(([pattern]) => pattern.test(text))?.[1];

/**
 * A session's device in words, from the user agent it signed in with.
 * @param {string | null | undefined} userAgent
 * @returns {string} "Chrome on Linux", "Safari on iOS", "curl", "Unknown browser on Windows", "Unknown device"
 */
export function deviceName(userAgent) {
  if (typeof userAgent !== 'string' || userAgent.trim() === '') return 'Unknown device';
  const browser = firstMatch(BROWSERS, userAgent);
  const system = firstMatch(SYSTEMS, userAgent);
  if (!system) return browser ?? 'Unknown device';
  return `${browser ?? 'Unknown browser'} on ${system}`;
}

/** Sitewide's stable error codes (docs/api.md, "Errors"), in words for the person using the app. */
const SENTENCES = {
  missing_session: 'You are signed out.',
  invalid_session: 'Your sign-in could not be checked. Please sign in again.',
  session_expired: 'Your session has expired. Please sign in again.',
  session_revoked: 'This session was signed out. Please sign in again.',
  user_not_found: 'Your account no longer exists.',
  user_disabled: 'Your account has been disabled.',
  csrf_rejected: 'This page may not make that change.',
  reauth_required: 'Please sign in again to confirm it is you.',
  rate_limited: 'Too many attempts. Please wait a minute and try again.',
  access_denied: 'This account may not do that here.',
  not_found: 'That could not be found.',
  service_unavailable: 'The service is unavailable for a moment. Please try again shortly.',
  internal_error: 'Something went wrong on our side. Please try again.',
};

/**
 * The sentence for an API error answer: ours for a stable code, else the server's own message
 * (`misconfigured` always: its message says what to fix), else the status.
 * @param {{ error?: { code?: string, message?: string } } | undefined} body
 * @param {number} status
 * @returns {string}
 */
export function errorSentence(body, status) {
  const code = body?.error?.code;
  const message = body?.error?.message;
  if (code === 'misconfigured') return `The API is misconfigured: ${(message ?? 'see its log').replace(/\.$/, '')}.`;
  if (code && Object.hasOwn(SENTENCES, code)) return SENTENCES[code];
  if (message) return message;
  return `The request failed (HTTP ${status}).`;
}
