import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PAGE_STYLE } from './layout';

let styleSource: Promise<string> | undefined;

/** `'sha256-…'` of the pages' stylesheet, computed once per isolate. */
function styleHash(): Promise<string> {
  styleSource ??= crypto.subtle.digest('SHA-256', new TextEncoder().encode(PAGE_STYLE)).then((digest) => {
    let binary = '';
    for (const byte of new Uint8Array(digest)) binary += String.fromCharCode(byte);
    return `'sha256-${btoa(binary)}'`;
  });
  return styleSource;
}

/**
 * The Content-Security-Policy of a page: nothing may load or run (no script
 * source at all), styles only the one stylesheet by hash, images only `data:`
 * (the empty favicon), no `<base>`, no framing, and forms may post only to
 * `formAction` (`'self'` and the origins a form's redirect lands on: CSP checks
 * every hop of a form's redirects). Links are navigations, which CSP leaves alone.
 */
export async function pageCsp(formAction: readonly string[] = []): Promise<string> {
  const forms = formAction.length > 0 ? formAction.join(' ') : "'none'";
  return `default-src 'none'; style-src ${await styleHash()}; img-src data:; base-uri 'none'; form-action ${forms}; frame-ancestors 'none'`;
}

/**
 * Answers with a page of ours: `text/html`, its CSP. The other headers every
 * response gets (X-Frame-Options DENY, nosniff, no-store, …) are the global
 * path's (middleware/global-path.ts).
 *
 * `formAction` lists where the page's form may post: `'self'` and exact
 * origins (`URL.origin` values, which hold no `;` or space).
 */
export async function sendPage(
  c: Context,
  page: string,
  options: { status?: ContentfulStatusCode; formAction?: readonly string[] } = {},
): Promise<Response> {
  c.header('Content-Security-Policy', await pageCsp(options.formAction));
  return c.html(page, options.status ?? 200);
}

/** A browser navigation (it asks for HTML) gets a page; every other caller the JSON answer. */
export function wantsPage(c: Context): boolean {
  return (c.req.header('accept') ?? '').includes('text/html');
}
