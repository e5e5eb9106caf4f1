// @ts-check
/**
 * The Hono example as a Cloudflare Worker (`npm run worker`, beside Sitewide's `npm run dev`):
 * sessions verified locally with Sitewide's public keys; an expired cookie renewed over the SITEWIDE
 * service binding (Sitewide's SitewideRpc entrypoint), the renewed Set-Cookie (Domain=COOKIE_DOMAIN)
 * forwarded on this Worker's response.
 */
import { createApp } from './app.js';

/**
 * @typedef {object} SiblingBindings
 * @property {string} SITEWIDE_ISSUER Sitewide's origin, e.g. https://api.example.com.
 * @property {string} [SITEWIDE_AUDIENCE] This app's audience in TOKEN_AUDIENCES: Bearer access tokens for it are accepted.
 * @property {import('@sitewide/verify/hono').SitewideBinding} [SITEWIDE] The binding to SitewideRpc (absent: renewals over HTTP).
 * @property {{ fetch: typeof fetch }} [SITEWIDE_HTTP] Sitewide's default entrypoint: metadata and keys through it.
 */

/** @type {ReturnType<typeof createApp> | undefined} */
let app;

export default {
  /**
   * Builds the app on the first request, when the Worker's vars are known; then reuses it.
   * @param {Request} request
   * @param {SiblingBindings} env
   * @param {unknown} ctx
   */
  fetch(request, env, ctx) {
    const http = env.SITEWIDE_HTTP;
    app ??= createApp({
      issuer: env.SITEWIDE_ISSUER,
      ...(env.SITEWIDE_AUDIENCE ? { audience: env.SITEWIDE_AUDIENCE } : {}),
      // Per request: a binding belongs to the request's env.
      binding: (c) => /** @type {{ env: SiblingBindings }} */ (/** @type {unknown} */ (c)).env.SITEWIDE,
      ...(http ? { fetch: (input, init) => http.fetch(input, init) } : {}),
    });
    return app.fetch(request, env, /** @type {never} */ (ctx));
  },
};
