/**
 * Stands in for `preact`, `preact/jsx-runtime` and `preact-render-to-string`
 * in the Worker's bundle (wrangler.toml `[alias]`): Auth.js renders its
 * built-in HTML pages with them (~17 KiB minified, 7 KiB gzip), and Sitewide
 * never lets it render one. We serve our own sign-in, sign-out and error pages
 * (src/pages/sign-in.ts, sign-out-page.ts, error-page.ts), give Auth.js
 * `pages` so it redirects to them instead of rendering (src/auth/auth-config.ts),
 * and answer GET /auth/signout ourselves (our page; only POST signs out). The actions that
 * reach Auth.js (src/routes/auth.ts AUTH_ACTIONS) render nothing else.
 *
 * Reaching this is a bug: it throws and says so. Auth.js catches the throw,
 * logs it ("auth.js error") and redirects to /auth/error?error=Configuration.
 */
function authJsPageRendered(): never {
  throw new Error(
    'Auth.js tried to render one of its built-in pages, which this Worker does not bundle (wrangler.toml [alias], src/bundle/no-authjs-pages.ts): give it a `pages` entry or answer the route before Auth.js',
  );
}

// preact-render-to-string
export const renderToString = authJsPageRendered;
// preact/jsx-runtime
export const jsx = authJsPageRendered;
export const jsxs = authJsPageRendered;
export const Fragment = authJsPageRendered;
// preact (imported by the two above only)
export const h = authJsPageRendered;
export const createElement = authJsPageRendered;
