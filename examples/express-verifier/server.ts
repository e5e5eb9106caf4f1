/**
 * A sibling backend protected by Sitewide, with @sitewide/verify/express: the kit reads Sitewide's
 * /.well-known/sitewide.json (cookie name, JWKS), verifies the session cookie or a Bearer access
 * token locally, renews an expired cookie at Sitewide and forwards the new Set-Cookie.
 *   SITEWIDE_ISSUER=https://api.example.com AUDIENCE=https://billing.example.com PORT=3000 \
 *     node examples/express-verifier/server.ts
 */
import type { Server } from 'node:http';
import { requireSitewideSession } from '@sitewide/verify/express';
import express from 'express';

export interface BackendOptions {
  /** Sitewide's origin (its tokens' `iss`). */
  issuer: string;
  /** This backend's audience, listed in Sitewide's TOKEN_AUDIENCES (for Bearer access tokens). */
  audience: string;
}

export function createBackend(options: BackendOptions) {
  const app = express();
  app.get('/whoami', requireSitewideSession(options), (req, res) => {
    const { user, session, via } = req.sitewide ?? {};
    res.set('Cache-Control', 'no-store').json({ user: { ...user, via }, session });
  });
  // Only for holders of the `admin` role: 403 access_denied for everyone else.
  app.get('/admin', requireSitewideSession({ ...options, roles: ['admin'] }), (req, res) => {
    res.set('Cache-Control', 'no-store').json({ admin: req.sitewide?.user.id });
  });
  return app;
}

export function listen(options: BackendOptions, port = 0, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve) => {
    const server = createBackend(options).listen(port, host, () => resolve(server));
  });
}

if (import.meta.main) {
  const server = await listen(
    {
      issuer: process.env.SITEWIDE_ISSUER ?? 'http://localhost:8787',
      audience: process.env.AUDIENCE ?? 'https://billing.example.com',
    },
    Number(process.env.PORT ?? 3000),
  );
  console.log('example backend listening on', server.address());
}
