// @ts-check
/**
 * The Hono example on Node (20 or later):
 *   SITEWIDE_ISSUER=https://api.example.com SITEWIDE_AUDIENCE=https://app.example.com PORT=8792 npm start
 * Defaults: Sitewide on http://localhost:8787 (the repository's `npm run dev`), port 8792 on 127.0.0.1.
 */
import { serve } from '@hono/node-server';
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 8792);
const hostname = process.env.HOST ?? '127.0.0.1';
const audience = process.env.SITEWIDE_AUDIENCE;
const app = createApp({
  issuer: process.env.SITEWIDE_ISSUER ?? 'http://localhost:8787',
  ...(audience ? { audience } : {}),
});
serve({ fetch: app.fetch, port, hostname }, () => {
  console.log(`Hono sibling on http://${hostname}:${port} (Node ${process.versions.node})`);
});
