/**
 * Serves the demo app (demo/) on its own origin, playing a sibling app of the
 * API: `/config.json` tells the page where the API is. `/blank` is an empty
 * page, for browser tests that act from an origin that is not allowed.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';

const DEMO_DIR = join(import.meta.dirname, '..', 'demo');

export interface DemoServerOptions {
  apiOrigin: string;
  port: number;
  host?: string;
  tls?: { keyPath: string; certPath: string };
}

function handler(apiOrigin: string) {
  const files: Record<string, [string, string]> = {
    '/': ['index.html', 'text/html; charset=utf-8'],
    '/index.html': ['index.html', 'text/html; charset=utf-8'],
    '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    res.setHeader('Cache-Control', 'no-store');
    if (path === '/config.json') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ api: apiOrigin }));
    } else if (path === '/blank') {
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>blank</title><p>blank</p>');
    } else if (files[path]) {
      const [file, type] = files[path];
      res.writeHead(200, { 'Content-Type': type }).end(readFileSync(join(DEMO_DIR, file)));
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
  return new Promise((resolve) => server.listen(options.port, options.host ?? '127.0.0.1', () => resolve(server)));
}
