/**
 * Serves the demo app (demo/) on its own origin, playing a sibling app of the
 * API: `/config.json` tells the page where the API is; `/kit/browser.js` is the
 * sibling kit's browser entry (`@sitewide/verify/browser`, built to
 * packages/verify/dist by `npm ci`), which the page imports. `/blank` is an empty
 * page, for browser tests that act from an origin that is not allowed. Nothing
 * else is served: a fixed table of files, no paths taken from the request.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const DEMO_DIR = join(ROOT, 'demo');
const KIT_BROWSER = join(ROOT, 'packages', 'verify', 'dist', 'browser.js');
const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';

export interface DemoServerOptions {
  apiOrigin: string;
  port: number;
  host?: string;
  tls?: { keyPath: string; certPath: string };
}

function handler(apiOrigin: string) {
  const files: Record<string, [string, string]> = {
    '/': [join(DEMO_DIR, 'index.html'), HTML],
    '/index.html': [join(DEMO_DIR, 'index.html'), HTML],
    '/app.js': [join(DEMO_DIR, 'app.js'), JS],
    '/words.js': [join(DEMO_DIR, 'words.js'), JS],
    '/kit/browser.js': [KIT_BROWSER, JS],
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (path === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ api: apiOrigin }));
    } else if (path === '/blank') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>blank</title><p>blank</p>');
    } else if (Object.hasOwn(files, path)) {
      const [file, type] = files[path] as [string, string];
      if (!existsSync(file)) {
        // Only the kit can be missing: it is built, not checked in.
        res
          .writeHead(503, { 'Content-Type': 'text/plain' })
          .end('packages/verify/dist is not built: run npm ci (or npm run build --workspace @sitewide/verify)');
        return;
      }
      res.writeHead(200, { 'Content-Type': type }).end(readFileSync(file));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  };
}

export function startDemoServer(options: DemoServerOptions): Promise<Server> {
  const serve = handler(options.apiOrigin);
  const server = options.tls
    ? createHttpsServer({ key: readFileSync(options.tls.keyPath), cert: readFileSync(options.tls.certPath) }, serve)
    : createHttpServer(serve);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
