// The demo app, as a real front end on a sibling subdomain would be written: it calls the Sitewide
// API with the sibling kit's browser entry (@sitewide/verify/browser, served at /kit/browser.js).
// sitewideFetch sends the cookie (credentials: 'include'), renews an expired session once through
// POST /auth/refresh and retries; signInUrl is the one-click link straight to Google. People see
// sentences, not codes (words.js).
import { signInUrl, signOutUrl, sitewideFetch } from '/kit/browser.js';
import { deviceName, errorSentence } from '/words.js';

const $ = (id) => document.getElementById(id);
const { api } = await (await fetch('/config.json')).json();
$('app-origin').textContent = location.origin;
$('api-origin').textContent = api;
const here = `${location.origin}/`;

function show(section) {
  for (const id of ['loading', 'signed-out', 'signed-in']) $(id).hidden = id !== section;
}

function fail(message) {
  $('error').textContent = message;
  $('error').hidden = false;
}

/**
 * Calls the API. When the session is gone (missing_session, session_revoked, or the renewal
 * refused), sitewideFetch sends the page to sign-in, unless `redirect: false`: then the caller
 * gets the 401 and shows its own signed-out view.
 */
async function call(path, init = {}, { redirect = true } = {}) {
  const res = await sitewideFetch(`${api}${path}`, init, { issuer: api, redirect });
  const body = await res.json().catch(() => ({}));
  return { res, body };
}

/** Where the API sends the browser back after the sign-in that deleting the account may ask for. */
const RESUME_DELETE = 'resume=delete-account';
// Read it once and take it off the address, so neither a reload nor the sign-in link below repeats it.
const resumeDelete = location.search.includes(RESUME_DELETE);
if (resumeDelete) history.replaceState(null, '', location.pathname);

// One click: a plain link straight to Google (the API's GET /auth/signin/google sets the flow cookies
// and redirects), coming back to this page.
$('sign-in').href = signInUrl(api, location.href);
// Sign-out is a link too: the API's sign-out page asks once, signs out with its own form and comes back here.
$('sign-out').href = signOutUrl(api, here);
$('sign-out-everywhere').addEventListener('click', async () => {
  const { res, body } = await call('/api/sessions/revoke-all', { method: 'POST' });
  if (res.ok) location.reload();
  else fail(errorSentence(body, res.status));
});

// A plain link: the browser navigates to the API with its cookie, and Content-Disposition makes it a download.
$('download-data').href = `${api}/api/me/export`;

async function deleteAccount() {
  if (!confirm('Delete your account and everything Sitewide holds about you? This cannot be undone.')) return;
  const { res, body } = await call('/api/me', { method: 'DELETE' });
  if (res.status === 204) {
    $('signed-out-status').textContent = 'Your account was deleted.';
    show('signed-out');
  } else if (body.error?.code === 'reauth_required') {
    // It needs a sign-in from the last 10 minutes: sign in again (the API's sign-in page), come back here, and ask once more.
    const back = `${here}?${RESUME_DELETE}`;
    location.href = `${api}/auth/signin?callbackUrl=${encodeURIComponent(back)}`;
  } else {
    fail(errorSentence(body, res.status));
  }
}
$('delete-account').addEventListener('click', deleteAccount);

// The demo shows its own signed-out view rather than being sent to sign-in.
const me = await call('/api/me', {}, { redirect: false }).catch(() => undefined);
if (!me) {
  // A network error, or an answer the browser withheld (no CORS headers on it).
  show('signed-out');
  $('signed-out-status').textContent = 'You are not signed in.';
  fail(`The API at ${api} could not be reached.`);
} else if (me.res.status === 200) {
  const user = me.body;
  $('name').textContent = user.name ?? '(no name)';
  $('email').textContent = user.email ?? '';
  $('roles').textContent = user.roles.length ? user.roles.join(', ') : 'none';
  $('user-id').textContent = user.id;
  $('avatar').textContent = (user.name ?? user.email ?? '?').slice(0, 1).toUpperCase();
  const { body } = await call('/api/sessions');
  for (const s of body.sessions ?? []) {
    const row = document.createElement('tr');
    for (const text of [
      deviceName(s.userAgent),
      new Date(s.createdAt).toLocaleString(),
      new Date(s.lastSeenAt).toLocaleString(),
      s.current ? 'this device' : '',
    ]) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    $('sessions').append(row);
  }
  show('signed-in');
  if (resumeDelete) await deleteAccount();
} else if (me.res.status === 401) {
  $('signed-out-status').textContent = errorSentence(me.body, me.res.status);
  show('signed-out');
} else {
  $('signed-out-status').textContent = 'You are not signed in.';
  fail(errorSentence(me.body, me.res.status));
  show('signed-out');
}
