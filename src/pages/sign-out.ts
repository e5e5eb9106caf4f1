import { html } from './html';
import { renderPage } from './layout';

/**
 * GET /auth/signout for a browser with a session cookie: "Sign out of SITE?"
 * and one button, a form that POSTs to /auth/signout with Auth.js's CSRF token
 * and where to land (already through the redirect policy). Nothing signs out
 * until the person clicks: a link or a hostile page can only show this.
 */
export function signOutPage(input: { siteName: string; csrfToken: string; callbackUrl: string }): string {
  const { siteName, csrfToken, callbackUrl } = input;
  return renderPage({
    siteName,
    title: `Sign out of ${siteName}?`,
    heading: 'Sign out?',
    body: html`<p>You will be signed out of ${siteName} and of every app that uses its sign-in, in this browser.</p>
<form class="actions" method="post" action="/auth/signout">
<input type="hidden" name="csrfToken" value="${csrfToken}">
<input type="hidden" name="callbackUrl" value="${callbackUrl}">
<button class="button" type="submit">Sign out</button>
<a href="${callbackUrl}">Stay signed in</a>
</form>`,
  });
}

/** GET /auth/signout for a browser that has no session cookie: nothing to do, and the way back. */
export function signedOutPage(input: { siteName: string; callbackUrl: string }): string {
  const { siteName, callbackUrl } = input;
  return renderPage({
    siteName,
    title: `Signed out of ${siteName}`,
    heading: 'You are signed out',
    body: html`<p>This browser is not signed in to ${siteName}.</p>
<p class="actions"><a class="button" href="${callbackUrl}">Continue</a></p>`,
  });
}
