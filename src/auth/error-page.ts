/** Text for HTML: nothing a query string carries can become markup. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

/**
 * The page a browser lands on when a sign-in or sign-out cannot finish: what
 * happened, in one sentence, and the way back. No scripts, no external assets.
 */
export function signInErrorPage(input: { title: string; message: string; signInUrl: string; appUrl: string }): string {
  const { title, message, signInUrl, appUrl } = input;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}a{color:#1a56db}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="${escapeHtml(signInUrl)}">Sign in again</a> · <a href="${escapeHtml(appUrl)}">Back to the app</a></p>
</body>
</html>
`;
}

/**
 * The page of a sign-in the admission policy refused: why, which accounts
 * this site admits, and a button that starts a new sign-in with Google's
 * account chooser (`prompt=select_account`), a form POST carrying Auth.js's
 * CSRF token like its own sign-in page. No scripts, no external assets.
 */
export function refusedSignInPage(input: {
  message: string;
  admits: string;
  anotherAccount: { action: string; csrfToken: string } | undefined;
  signInUrl: string;
  appUrl: string;
}): string {
  const { message, admits, anotherAccount, signInUrl, appUrl } = input;
  const retry = anotherAccount
    ? `<form method="post" action="${escapeHtml(anotherAccount.action)}">
<input type="hidden" name="csrfToken" value="${escapeHtml(anotherAccount.csrfToken)}">
<button type="submit">Use another account</button>
</form>
<p><a href="${escapeHtml(appUrl)}">Back to the app</a></p>`
    : `<p><a href="${escapeHtml(signInUrl)}">Use another account</a> · <a href="${escapeHtml(appUrl)}">Back to the app</a></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>This account may not sign in here</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}a{color:#1a56db}button{font:inherit;padding:.5rem 1rem;cursor:pointer}</style>
</head>
<body>
<h1>This account may not sign in here</h1>
<p>${escapeHtml(message)}</p>
<p>${escapeHtml(admits)}</p>
${retry}
</body>
</html>
`;
}
