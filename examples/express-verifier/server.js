// @ts-check
/**
 * Starts the Express example:
 *   SITEWIDE_ISSUER=https://api.example.com AUDIENCE=https://billing.example.com PORT=3000 npm start
 * Defaults: Sitewide on http://localhost:8787 (the repository's `npm run dev`), port 3000 on 127.0.0.1.
 */
import { createBackend } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const app = createBackend({
  issuer: process.env.SITEWIDE_ISSUER ?? 'http://localhost:8787',
  audience: process.env.AUDIENCE ?? 'https://billing.example.com',
});
app.listen(port, host, () => {
  console.log(`Express sibling on http://${host}:${port} (Node ${process.versions.node})`);
});
