import { escapeHtml } from './error-page';

/**
 * What an `?error=` on /auth/signin means, in words. Auth.js sends a browser
 * back here with one of its codes; anything else (anyone can craft the link)
 * gets the general sentence, never the raw text.
 */
const ERROR_MESSAGES: Record<string, string> = {
  MissingCSRF: 'The sign-in request expired or did not come from this page. Please start again.',
  OAuthSignin: 'Sign-in with Google could not start. Please try again.',
  OAuthCallback: 'Google did not complete the sign-in. Please try again.',
  OAuthCallbackError: 'Google did not complete the sign-in. Please try again.',
  Callback: 'The sign-in could not be completed. Please try again.',
  OAuthAccountNotLinked:
    'This Google account cannot be linked to your account. Use the account you signed in with before.',
  AccessDenied: 'This account may not sign in here.',
  Verification: 'The sign-in attempt expired or was already used. Please start again.',
  SessionRequired: 'Please sign in to continue.',
  Configuration: 'Sign-in is misconfigured on the server; it has been logged.',
};
const DEFAULT_ERROR = 'Sign-in could not be completed. Please try again.';

export function signInErrorMessage(code: string): string {
  return Object.hasOwn(ERROR_MESSAGES, code) ? (ERROR_MESSAGES[code] as string) : DEFAULT_ERROR;
}

/**
 * The sign-in page at GET /auth/signin: the site's name, why the last attempt
 * failed (when `?error=` says so), and one "Continue with Google" link to the
 * one-click start (GET /auth/signin/google). No scripts, no external assets,
 * no form: the link is all a browser needs.
 */
export function signInPage(input: { siteName: string; googleHref: string; error?: string }): string {
  const { siteName, googleHref, error } = input;
  const alert = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>\n` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Sign in to ${escapeHtml(siteName)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:24rem;margin:6rem auto;padding:0 1rem;color:#222;text-align:center}.error{color:#b42318;background:#fef3f2;border-radius:.5rem;padding:.5rem 1rem}.button{display:inline-block;margin-top:1rem;padding:.6rem 1.4rem;border:1px solid #888;border-radius:.5rem;color:#222;text-decoration:none;font-weight:600}.button:hover,.button:focus{background:#f2f2f2}</style>
</head>
<body>
<h1>Sign in to ${escapeHtml(siteName)}</h1>
${alert}<a class="button" href="${escapeHtml(googleHref)}">Continue with Google</a>
</body>
</html>
`;
}
