/**
 * fetch for local servers on this machine's test hostnames (`https://api.example.test:8787`): the
 * request goes to 127.0.0.1 whatever the host name says, with the host kept for SNI and `Host`,
 * and our self-signed certificate accepted. Node's own fetch would need /etc/hosts and the
 * certificate trusted. GET only, for reading the local Sitewide's keys (scripts/gated-docs.ts, the e2e).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export const loopbackFetch: typeof fetch = (input) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: url.port,
        path: url.pathname + url.search,
        servername: url.hostname,
        rejectUnauthorized: false,
        headers: { host: url.host, accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            if (typeof value === 'string') headers.set(name, value);
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502, headers }));
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
};
