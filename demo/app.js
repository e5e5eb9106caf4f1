// The demo app: everything goes through fetch(..., { credentials: 'include' }) to the Sitewide API
// on a sibling subdomain, exactly as a real front end would.
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

async function call(path, init = {}) {
  const res = await fetch(`${api}${path}`, { credentials: 'include', ...init });
  const body = await res.json().catch(() => ({}));
  return { res, body };
}

/** Auth.js POSTs need its CSRF token; a real form navigation carries it (and its cookie) to the API. */
async function postForm(path, fields) {
  const { body } = await call('/auth/csrf');
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

// One click: straight to Google (the API's GET /auth/signin/google sets the flow cookies and redirects).
$('sign-in').href = `${api}/auth/signin/google?callbackUrl=${encodeURIComponent(here)}`;
$('sign-out').addEventListener('click', () => postForm('/auth/signout', { callbackUrl: here }));
$('sign-out-everywhere').addEventListener('click', async () => {
  const { res, body } = await call('/api/sessions/revoke-all', { method: 'POST' });
  if (res.ok) location.reload();
  else fail(`${body.error?.code}: ${body.error?.message}`);
});

// A plain link: the browser navigates to the API with its cookie, and Content-Disposition makes it a download.
$('download-data').href = `${api}/api/me/export`;

/** Where the API sends the browser back after the sign-in that deleting the account may ask for. */
const RESUME_DELETE = 'resume=delete-account';

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

const me = await call('/api/me');
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
  if (location.search.includes(RESUME_DELETE)) {
    history.replaceState(null, '', location.pathname);
    await deleteAccount();
  }
} else {
  $('signed-out-status').textContent = `You are signed out (${me.body.error?.code ?? me.res.status}).`;
  show('signed-out');
}
