// The demo app, as a real front end on a sibling subdomain would be written: it calls the Sitewide
// API with the sibling kit's browser entry (@sitewide/verify/browser, served at /kit/browser.js).
// sitewideFetch sends the cookie (credentials: 'include'), renews an expired session once through
// POST /auth/refresh and retries; signInUrl is the one-click link straight to Google.
import { signInUrl, sitewideFetch } from '/kit/browser.js';

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

/** Auth.js POSTs need its CSRF token; a real form navigation carries it (and its cookie) to the API. */
async function postForm(path, fields) {
  const { body } = await call('/auth/csrf', {}, { redirect: false });
  const form = document.createElement('form');
  form.method = 'POST';
  form.action = `${api}${path}`;
  for (const [name, value] of Object.entries({ ...fields, csrfToken: body.csrfToken })) {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}

/** Where the API sends the browser back after the sign-in that deleting the account may ask for. */
const RESUME_DELETE = 'resume=delete-account';
// Read it once and take it off the address, so neither a reload nor the sign-in link below repeats it.
const resumeDelete = location.search.includes(RESUME_DELETE);
if (resumeDelete) history.replaceState(null, '', location.pathname);

// One click: a plain link straight to Google (the API's GET /auth/signin/google sets the flow cookies
// and redirects), coming back to this page.
$('sign-in').href = signInUrl(api, location.href);
$('sign-out').addEventListener('click', () => postForm('/auth/signout', { callbackUrl: here }));
$('sign-out-everywhere').addEventListener('click', async () => {
  const { res, body } = await call('/api/sessions/revoke-all', { method: 'POST' });
  if (res.ok) location.reload();
  else fail(`${body.error?.code}: ${body.error?.message}`);
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
    fail(`${body.error?.code}: ${body.error?.message}`);
  }
}
$('delete-account').addEventListener('click', deleteAccount);

// The demo shows its own signed-out view rather than being sent to sign-in.
const me = await call('/api/me', {}, { redirect: false });
if (me.res.status === 200) {
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
      s.userAgent ?? 'unknown',
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
} else {
  $('signed-out-status').textContent = `You are signed out (${me.body.error?.code ?? me.res.status}).`;
  show('signed-out');
}
