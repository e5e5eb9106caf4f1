import { html } from '../pages/html';
import { renderPage } from '../pages/layout';

/**
 * The gate's 403 page: a signed-in user without any of the roles the app
 * requires. It names the app, the roles, who is signed in, and offers the two
 * ways on: another account (sign out of the whole site, then in again), or the
 * site's main app.
 */
export function deniedPage(input: {
  siteName: string;
  /** The gated app's host, e.g. `wiki.example.com`. */
  host: string;
  roles: readonly string[];
  /** Who is signed in: the email, else the user id. */
  who: string;
  signOutUrl: string;
  appUrl: string;
}): string {
  const { siteName, host, roles, who, signOutUrl, appUrl } = input;
  const list = roles.length === 1 ? 'the role' : 'one of the roles';
  return renderPage({
    siteName,
    title: `No access to ${host}`,
    heading: 'You do not have access to this app',
    body: html`<p class="alert">${host} requires ${list} ${roles.join(', ')}.</p>
<p>You are signed in as ${who}. Ask an administrator of ${siteName} for the role, or use another account.</p>
<p class="actions"><a class="button" href="${signOutUrl}">Use another account</a> <a href="${appUrl}">Go to ${siteName}</a></p>`,
  });
}
