import { googleButton } from './google-button';
import { html } from './html';
import { renderPage } from './layout';

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
 * failed (when `?error=` says so), and one "Sign in with Google" button, a
 * link to the one-click start (GET /auth/signin/google). No form, no script.
 */
export function signInPage(input: { siteName: string; googleHref: string; error?: string }): string {
  const { siteName, googleHref, error } = input;
  return renderPage({
    siteName,
    title: `Sign in to ${siteName}`,
    heading: 'Sign in',
    body: html`<p>Use your Google account to continue to ${siteName}.</p>
${error !== undefined && html`<p class="alert" role="alert">${error}</p>`}
<p class="actions">${googleButton(googleHref, 'Sign in with Google')}</p>`,
  });
}
