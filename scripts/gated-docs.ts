/**
 * The gated app of `npm run dev`: a static "internal docs" page that Sitewide puts behind the login
 * (GATES, docs/gate.md), next to the demo app. Two small servers:
 *
 * - the docs origin on http://127.0.0.1:8791: a node:http server with one page, which shows the
 *   identity headers that reached it and checks `Sitewide-Jwt-Assertion` with @sitewide/verify
 *   (opened directly, it shows that nobody is signed in: it trusts only the gate);
 * - the gated host on port 8789 (http://localhost:8789, or https://docs.example.test:8789 with
 *   --https): a TCP forwarder to wrangler's port. The browser's `Host` header (`localhost:8789`)
 *   reaches the Worker unchanged, so the Worker sees a request to the gated origin, as a route
 *   delivers it in production: one Worker, one isolate, one revocation snapshot (a second
 *   `wrangler dev` would be another isolate with its own Durable Object).
 *
 * scripts/dev.ts sets GATES to `gatedDocsGates(...)` and calls `startGatedDocs(...)`.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type Socket } from 'node:net';
import { verifyGateAssertion } from '@sitewide/verify';
import { TEST_DOMAIN } from './dev-cert.ts';
import { loopbackFetch } from './loopback-fetch.ts';

export const GATED_DOCS_PORT = 8789;
export const DOCS_ORIGIN_PORT = 8791;

export interface GatedDocsPorts {
  /** The gated host's port (the forwarder), default 8789. */
  gatedPort?: number;
  /** The docs origin's port, default 8791. */
  originPort?: number;
}

/** The gated origin the browser opens. */
export function gatedDocsOrigin(https: boolean, ports: GatedDocsPorts = {}): string {
  const port = ports.gatedPort ?? GATED_DOCS_PORT;
  return https ? `https://docs.${TEST_DOMAIN}:${port}` : `http://localhost:${port}`;
}

/** GATES for wrangler dev: the docs page gated, forwarded to its origin on loopback. */
export function gatedDocsGates(https: boolean, ports: GatedDocsPorts = {}): string {
  const origin = `http://127.0.0.1:${ports.originPort ?? DOCS_ORIGIN_PORT}`;
  return JSON.stringify({ [gatedDocsOrigin(https, ports)]: { origin, public: ['/style.css'] } });
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A gate header's text (percent-encoded UTF-8 when not plain ASCII: docs/gate.md). */
function decoded(value: string | null): string {
  if (value === null) return '—';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{font-size:.9em}td{padding:.2rem .6rem}';

/** The docs page: who the gate says this is, and whether the assertion checks out. */
function docsPage(apiOrigin: string, gatedOrigin: string) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/style.css') return void res.writeHead(200, { 'Content-Type': 'text/css' }).end(STYLE);
    const headers = new Headers(
      Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
    );
    // The local Sitewide's keys, read on loopback (its test host names need no /etc/hosts entry here).
    const checked = await verifyGateAssertion(headers, {
      issuer: apiOrigin,
      audience: gatedOrigin,
      fetch: loopbackFetch,
    });
    const rows = ['Sitewide-User-Id', 'Sitewide-User-Email', 'Sitewide-User-Name', 'Sitewide-User-Roles']
      .map((name) => `<tr><td><code>${name}</code></td><td>${escapeHtml(decoded(headers.get(name)))}</td></tr>`)
      .join('');
    const verdict = checked.ok
      ? `verified with @sitewide/verify: ${escapeHtml(checked.user.email ?? checked.user.id)}`
      : `not verified (${escapeHtml(checked.code)}): this page trusts only what comes through the gate`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>Internal docs</title><link rel="stylesheet" href="/style.css">
<h1>Internal docs</h1>
<p>An app Sitewide did not write, put behind the login by one <code>GATES</code> entry. It read who you are from the headers the gate set:</p>
<table>${rows}</table>
<p><code>Sitewide-Jwt-Assertion</code>: ${verdict}.</p>
<p><a href="/_sitewide/me">/_sitewide/me</a> · <a href="/_sitewide/signout">Sign out</a> (of the whole site)</p>`,
    );
  };
}

export interface GatedDocs {
  /** The gated origin, e.g. http://localhost:8789. */
  url: string;
  stop(): Promise<void>;
}

/** The docs origin alone, on 127.0.0.1:`port` (the e2e gates it without the forwarder). */
export async function startDocsOrigin(port: number, apiOrigin: string, gatedOrigin: string): Promise<Server> {
  const origin = createHttpServer((req, res) => void docsPage(apiOrigin, gatedOrigin)(req, res));
  await new Promise<void>((resolve) => origin.listen(port, '127.0.0.1', resolve));
  return origin;
}

/** Starts the docs origin and the forwarder of the gated host to wrangler's port. */
export async function startGatedDocs(
  options: { apiOrigin: string; apiPort: number; https: boolean } & GatedDocsPorts,
): Promise<GatedDocs> {
  const url = gatedDocsOrigin(options.https, options);
  const origin = await startDocsOrigin(options.originPort ?? DOCS_ORIGIN_PORT, options.apiOrigin, url);
  const sockets = new Set<Socket>();
  const forwarder = createTcpServer((client) => {
    const upstream = connect(options.apiPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => forwarder.listen(options.gatedPort ?? GATED_DOCS_PORT, '127.0.0.1', resolve));
  return {
    url,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      origin.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => origin.close(resolve)),
        new Promise((resolve) => forwarder.close(resolve)),
      ]);
    },
  };
}
