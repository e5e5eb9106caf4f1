/**
 * A loopback origin for the gate's tests (test/gate-*.test.ts through vitest's global setup, and
 * test/e2e/gate.test.ts): it answers every request with what it received, so a test sees exactly
 * which headers, cookies and body got past the gate.
 *
 * - any path: `200 {"method","path","headers":[[name,value]…],"body":{"length","sha256"},"assertion"?}`
 *   (`headers` as they arrived on the wire, names as sent; the body read to its end and hashed);
 * - `/__redirect`: `302` to `/elsewhere` (the gate hands it to the browser as it is);
 * - `/__set-cookie`: `200` with `Set-Cookie: app-cookie=1; Path=/`;
 * - `/__chunks`: three chunks, 20 ms apart, no Content-Length;
 * - a WebSocket upgrade on any path: an echo whose first message is `{"headers":[…]}` (websocket-echo.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { acceptWebSocket } from './websocket-echo.ts';

export interface EchoOriginOptions {
  port: number;
  host?: string;
  tls?: { keyPath: string; certPath: string };
  /** Checks the request's headers (e.g. Sitewide-Jwt-Assertion with @sitewide/verify); the answer is echoed as `assertion`. */
  verify?: (headers: Headers) => Promise<unknown>;
}

export interface RunningEchoOrigin {
  url: string;
  stop(): Promise<void>;
}

/** The request's headers in arrival order, names as sent (rawHeaders). */
function rawPairs(req: IncomingMessage): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2)
    pairs.push([req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string]);
  return pairs;
}

function handler(options: EchoOriginOptions) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = req.url ?? '/';
    if (path.startsWith('/__redirect')) return void res.writeHead(302, { Location: '/elsewhere' }).end();
    if (path.startsWith('/__set-cookie')) {
      return void res.writeHead(200, { 'Set-Cookie': 'app-cookie=1; Path=/', 'Content-Type': 'text/plain' }).end('ok');
    }
    if (path.startsWith('/__chunks')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      let n = 0;
      const next = () => {
        if (++n > 3) return void res.end();
        res.write(`chunk ${n}\n`);
        setTimeout(next, 20);
      };
      return void next();
    }
    const hash = createHash('sha256');
    let length = 0;
    req.on('data', (chunk: Buffer) => {
      length += chunk.length;
      hash.update(chunk);
    });
    req.on('end', async () => {
      const headers = rawPairs(req);
      const assertion = options.verify
        ? await options.verify(new Headers(headers)).catch((e) => ({ error: String(e) }))
        : undefined;
      const body = { method: req.method, path, headers, body: { length, sha256: hash.digest('hex') }, assertion };
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
    });
  };
}

export function startEchoOrigin(options: EchoOriginOptions): Promise<RunningEchoOrigin> {
  const serve = handler(options);
  const server: Server = options.tls
    ? createHttpsServer({ key: readFileSync(options.tls.keyPath), cert: readFileSync(options.tls.certPath) }, serve)
    : createHttpServer(serve);
  // Upgraded sockets leave the server's bookkeeping: closed by hand on stop.
  const sockets = new Set<Duplex>();
  server.on('upgrade', (req, socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    acceptWebSocket(req, socket, JSON.stringify({ headers: rawPairs(req) }));
  });
  const host = options.host ?? '127.0.0.1';
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () =>
      resolve({
        url: `${options.tls ? 'https' : 'http'}://${host}:${options.port}`,
        stop: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.closeAllConnections();
            server.close(() => done());
          }),
      }),
    );
  });
}
