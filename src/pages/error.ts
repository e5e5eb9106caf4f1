import { googleButton } from './google-button';
import { html } from './html';
import { renderPage } from './layout';

/**
 * The page a browser lands on when a sign-in cannot finish: what happened, in
 * one sentence, and the way back (sign in again, or the app).
 */
export function signInErrorPage(input: {
  siteName: string;
  title: string;
  message: string;
  signInUrl: string;
  appUrl: string;
}): string {
  const { siteName, title, message, signInUrl, appUrl } = input;
  return renderPage({
    siteName,
    title: `${title} · ${siteName}`,
    heading: title,
    body: html`<p>${message}</p>
<p class="actions"><a class="button" href="${signInUrl}">Sign in again</a> <a href="${appUrl}">Back to the app</a></p>`,
  });
}

/**
 * The page of a sign-in the admission policy refused: why, which accounts
 * this site admits, and a button that starts a new sign-in with Google's
 * account chooser: a link to the one-click start with `prompt=select_account`
 * and the page first asked for (`anotherAccountHref`).
 */
export function refusedSignInPage(input: {
  siteName: string;
  message: string;
  admits: string;
  anotherAccountHref: string;
  appUrl: string;
}): string {
  const { siteName, message, admits, anotherAccountHref, appUrl } = input;
  const heading = 'This account may not sign in here';
  return renderPage({
    siteName,
    title: `${heading} · ${siteName}`,
    heading,
    body: html`<p>${message}</p>
<p>${admits}</p>
<p class="actions">${googleButton(anotherAccountHref, 'Use another account')} <a href="${appUrl}">Back to the app</a></p>`,
  });
}
