// @ts-check
/**
 * A sibling backend protected by Sitewide, with @sitewide/verify/express. The kit reads Sitewide's
 * /.well-known/sitewide.json (cookie name, JWKS), verifies the session cookie or a Bearer access
 * token (a person's; on /reports a service client's too) locally, renews an expired cookie at Sitewide once and forwards the new Set-Cookie.
 * Plain JavaScript: runs as is on Node 20 and later (server.js starts it).
 */
import { optionalSitewideSession, requireSitewideSession, signInUrl, signOutUrl } from '@sitewide/verify/express';
import express from 'express';

/**
 * @param {{ issuer: string, audience?: string }} options Sitewide's origin (its tokens' `iss`); this
 *   backend's audience in Sitewide's TOKEN_AUDIENCES, to accept Bearer access tokens too.
 */
export function createBackend({ issuer, audience }) {
  const sitewide = { issuer, ...(audience ? { audience } : {}) };
  const app = express();
  // Behind a reverse proxy (TLS ends there), let Express trust it for the sign-in redirect's URL:
  // app.set('trust proxy', 'loopback');

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  // An API: 401 with Sitewide's error JSON (and a hint) without a session.
  app.get('/whoami', requireSitewideSession(sitewide), (req, res) => {
    const { user, session, via } = req.sitewide ?? {};
    res.json({ user: { ...user, via }, session });
  });

  // Only for holders of the `admin` role: 403 access_denied for everyone else.
  app.get('/admin', requireSitewideSession({ ...sitewide, roles: ['admin'] }), (req, res) => {
    res.json({ admin: req.sitewide?.user?.id });
  });

  // For machines too: a Sitewide service client (a cron job, CI, an agent; Sitewide's docs/clients.md)
  // with the `reports` role, or a person with it. Only allowClients lets a client's token in.
  app.get('/reports', requireSitewideSession({ ...sitewide, allowClients: true, roles: ['reports'] }), (req, res) => {
    const caller = req.sitewide;
    res.json(
      caller?.kind === 'client'
        ? { client: caller.client.id, roles: caller.client.roles }
        : { user: caller?.user.id, roles: caller?.user.roles },
    );
  });

  // A protected page: a browser without a session is sent to Sitewide's sign-in page and back here.
  app.get('/account', requireSitewideSession(sitewide), (req, res) => {
    const user = req.sitewide?.user;
    res.type('html').send(page(`<p>Your account: ${escapeHtml(user?.email ?? user?.id ?? '')}.</p>`));
  });

  // A page for everyone: greets a signed-in user, else offers "Sign in" (one click, back here).
  app.get('/', optionalSitewideSession(sitewide), (req, res) => {
    const here = `${req.protocol}://${req.get('host')}${req.originalUrl}`;
    const who = req.sitewide?.user;
    res
      .type('html')
      .send(
        page(
          who
            ? `<p>Signed in as ${escapeHtml(who.name ?? who.email ?? who.id)}. <a href="${escapeHtml(signOutUrl(issuer, here))}">Sign out</a></p>`
            : `<p><a href="${escapeHtml(signInUrl(issuer, here))}">Sign in with Google</a></p>`,
        ),
      );
  });
  return app;
}

/** @param {string} body */
const page = (body) => `<!doctype html><meta charset="utf-8"><title>Express sibling</title>${body}`;

/** @param {string} text */
const escapeHtml = (text) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
