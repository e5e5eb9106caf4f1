import { type Html, html, trusted } from './html';

/**
 * The one stylesheet of every page (inline; its SHA-256 is the only style the
 * pages' CSP allows, see page-response.ts). Mobile first: at 320 px the card
 * fills the width, and `overflow-wrap: anywhere` breaks a long host name
 * instead of scrolling sideways. `.gsi` is Google's light button.
 */
export const PAGE_STYLE = [
  '*{box-sizing:border-box}',
  'html{-webkit-text-size-adjust:100%;text-size-adjust:100%}',
  'body{margin:0;padding:10vh 1rem 2rem;background:#f0f4f9;color:#1f1f1f;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}',
  'main{max-width:28rem;margin:0 auto;padding:1.75rem 1.25rem;background:#fff;border-radius:1rem;box-shadow:0 1px 3px #0002}',
  '@media(min-width:30rem){main{padding:2.5rem 2.25rem}}',
  '.site{margin:0 0 .5rem;color:#444746;font-size:.875rem;font-weight:600}',
  'h1{margin:0 0 1rem;font-size:1.5rem;line-height:1.3;font-weight:500}',
  'p{margin:0 0 1rem}',
  'a{color:#0b57d0}',
  '.alert{padding:.75rem 1rem;border-radius:.5rem;background:#fce8e6;color:#8c1d18}',
  '.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem 1.25rem;margin:1.5rem 0 0}',
  'form{margin:0}',
  '.gsi,.button{display:inline-flex;align-items:center;justify-content:center;min-height:40px;max-width:100%;padding:.5rem 1rem;border-radius:20px;font:500 14px/20px Roboto,system-ui,sans-serif;letter-spacing:.25px;text-decoration:none;cursor:pointer}',
  '.gsi{gap:12px;padding:.5rem 12px;border:1px solid #747775;background:#fff;color:#1f1f1f}',
  '.gsi:hover{background:#f8fafd}',
  '.g{width:20px;height:20px;flex:none}',
  '.button{border:1px solid #0b57d0;background:#0b57d0;color:#fff}',
  '.button:hover{background:#0842a0}',
  ':focus-visible{outline:2px solid #0b57d0;outline-offset:2px}',
].join('');

export interface PageContent {
  /** The site's name (SITE_NAME, else the API's host), shown above the heading of every page. */
  siteName: string;
  /** What the tab says. */
  title: string;
  /** The page's one `<h1>`. */
  heading: string;
  /** The page under its heading. */
  body: Html;
}

/**
 * One page of Sitewide's, in its one look: the site's name, a heading, the
 * content, in a card. No scripts and nothing fetched (the favicon is empty
 * data), so the CSP of page-response.ts can be strict.
 *
 * The referrer policy `same-origin` (it overrides the `no-referrer` header
 * every response carries) is what lets the sign-out form's POST carry
 * `Origin: <API origin>`: under `no-referrer` a browser sends `Origin: null`
 * on a POST (Fetch, "append a request Origin header"), and POST /auth/signout
 * refuses that. Other origins still get no referrer.
 */
export function renderPage(page: PageContent): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>${page.title}</title>
<style>${trusted(PAGE_STYLE)}</style>
</head>
<body>
<main>
<p class="site">${page.siteName}</p>
<h1>${page.heading}</h1>
${page.body}
</main>
</body>
</html>
`.html;
}
