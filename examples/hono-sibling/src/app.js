// @ts-check
/**
 * A sibling app (e.g. app.example.com) protected by Sitewide with @sitewide/verify/hono: the same
 * Hono app runs on Node (src/server.js, renewing over HTTP) and as a Cloudflare Worker
 * (src/worker.js, renewing over the SITEWIDE service binding to Sitewide's SitewideRpc).
 */
import { optionalSitewideSession, signInUrl, signOutUrl, sitewideSession } from '@sitewide/verify/hono';
import { Hono } from 'hono';

/** @typedef {import('@sitewide/verify/hono').SitewideSessionOptions} SitewideOptions */

/** @param {SitewideOptions} sitewide Sitewide's origin (`issuer`), and optionally `audience`, `binding`, `fetch`. */
export function createApp(sitewide) {
  const { issuer } = sitewide;
  const requireSession = sitewideSession(sitewide);
  return (
    new Hono()
      .get('/health', (c) => c.json({ ok: true }))
      // An API: 401 with Sitewide's error JSON (and a hint) without a session.
      .get('/api/whoami', requireSession, (c) => c.json(c.var.sitewide))
      // A protected page: a browser without a session is sent to Sitewide's sign-in page and back.
      .get('/account', requireSession, (c) => {
        const user = c.var.sitewide?.user;
        return c.html(page(`<p>Your account: ${escapeHtml(user?.email ?? user?.id ?? '')}.</p>`));
      })
      // A page for everyone: greets a signed-in user, else offers "Sign in" (one click, back here).
      .get('/', optionalSitewideSession(sitewide), (c) => {
        const who = c.var.sitewide?.user;
        const body = who
          ? `<p>Signed in as ${escapeHtml(who.name ?? who.email ?? who.id)}. <a href="${escapeHtml(signOutUrl(issuer, c.req.url))}">Sign out</a></p>`
          : `<p><a href="${escapeHtml(signInUrl(issuer, c.req.url))}">Sign in with Google</a></p>`;
        return c.html(page(body));
      })
  );
}

/** @param {string} body */
const page = (body) => `<!doctype html><meta charset="utf-8"><title>Sibling app</title>${body}`;

/** @param {string} text */
const escapeHtml = (text) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
