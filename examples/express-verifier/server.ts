/**
 * A sibling backend protected by Sitewide:
 *   SITEWIDE_ISSUER=https://api.example.com AUDIENCE=https://billing.example.com PORT=3000 \
 *     node examples/express-verifier/server.ts
 */
import type { Server } from 'node:http';
import express from 'express';
import { requireSitewideUser, type SitewideVerifierOptions } from './verifier.ts';

export function createBackend(options: SitewideVerifierOptions) {
  const app = express();
  app.get('/whoami', requireSitewideUser(options), (req, res) => {
    res.set('Cache-Control', 'no-store').json({ user: req.sitewideUser });
  });
  return app;
}

export function listen(options: SitewideVerifierOptions, port = 0, host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve) => {
    const server = createBackend(options).listen(port, host, () => resolve(server));
  });
}

if (import.meta.main) {
  const issuer = process.env.SITEWIDE_ISSUER ?? 'http://localhost:8787';
  const server = await listen(
    {
      issuer,
      audience: process.env.AUDIENCE ?? 'https://billing.example.com',
      cookieName: issuer.startsWith('https:') ? '__Secure-sitewide.session' : 'sitewide.session',
    },
    Number(process.env.PORT ?? 3000),
  );
  console.log('example backend listening on', server.address());
}
