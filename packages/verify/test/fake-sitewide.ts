/**
 * A stand-in Sitewide on loopback for the kit's unit tests: /.well-known/sitewide.json, the JWKS,
 * and POST /auth/refresh answering whatever the test sets. Tokens are signed here with jose.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

export type RefreshAnswer = { status: number; body: unknown; setCookie?: string[] };

export interface FakeSitewide {
  issuer: string;
  cookieName: string;
  /** Requests received, by path. */
  hits: Record<string, number>;
  /** The Cookie header of each POST /auth/refresh. */
  refreshCookies: string[];
  /** What POST /auth/refresh answers next. */
  refresh: RefreshAnswer;
  /** How long POST /auth/refresh takes to answer (ms), so that concurrent requests overlap. */
  refreshDelayMs: number;
  /** What POST /auth/token answers next (the client-credentials grant), and each request it got. */
  token: { status: number; body: unknown; delayMs: number };
  tokenRequests: Array<{ authorization: string; contentType: string; body: string }>;
  /** The revocation feed, published in sitewide.json only when `revocationPoll` was given. */
  feed: { sessions: Array<{ id: string; at: number }>; users: Array<{ id: string; before: number }>; status: number };
  /** Publish a second key (rotation): tokens signed with it verify after the JWKS is refetched. */
  rotate(): Promise<void>;
  sign(claims?: JWTPayload, options?: SignOptions): Promise<string>;
  close(): Promise<void>;
}

export interface SignOptions {
  typ?: string;
  aud?: string;
  iss?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** exp - iat, seconds (default 600, a session token's). */
  lifetime?: number;
  sub?: string;
  sid?: string;
  /** Sign with the key the JWKS does not (yet) publish. */
  unpublished?: boolean;
  kid?: string;
}

type Key = { kid: string; privateKey: CryptoKey; publicJwk: Record<string, unknown> };

async function newKey(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
}

export async function startFakeSitewide(
  cookieName = '__Secure-sitewide.session',
  options: { revocationPoll?: number } = {},
): Promise<FakeSitewide> {
  const published: Key[] = [await newKey('key-1')];
  const pending = await newKey('key-2');
  const hits: Record<string, number> = {};
  const refreshCookies: string[] = [];
  let issuer = '';

  const fake: FakeSitewide = {
    issuer: '',
    cookieName,
    hits,
    refreshCookies,
    refresh: { status: 503, body: { error: { code: 'service_unavailable', message: 'not set' } } },
    refreshDelayMs: 0,
    token: { status: 503, body: { error: { code: 'service_unavailable', message: 'not set' } }, delayMs: 0 },
    tokenRequests: [],
    feed: { sessions: [], users: [], status: 200 },
    async rotate() {
      if (!published.includes(pending)) published.unshift(pending);
    },
    async sign(claims = {}, options = {}) {
      const key = options.unpublished ? pending : (published[0] as Key);
      const now = Math.floor(Date.now() / 1000);
      const expiresIn = options.expiresIn ?? 600;
      return new SignJWT({ sid: options.sid ?? 'session-1', ...claims })
        .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? key.kid, typ: options.typ ?? 'sitewide-session+jwt' })
        .setIssuer(options.iss ?? issuer)
        .setAudience(options.aud ?? issuer)
        .setSubject(options.sub ?? 'user-1')
        .setIssuedAt(now + expiresIn - (options.lifetime ?? 600))
        .setExpirationTime(now + expiresIn)
        .sign(key.privateKey);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  const server: Server = createServer((req: IncomingMessage, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    const json = (status: number, body: unknown, headers: Record<string, string | string[]> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && path === '/.well-known/sitewide.json') {
      return json(200, {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        token_endpoint: `${issuer}/auth/token`,
        algorithms: ['ES256'],
        session_cookie: { name: cookieName, domain: 'example.test', typ: 'sitewide-session+jwt', audience: issuer },
        access_token: { typ: 'at+jwt', audiences: ['https://billing.example.test'] },
        ...(options.revocationPoll
          ? { revocations_uri: `${issuer}/.well-known/sitewide-revocations`, revocation_poll: options.revocationPoll }
          : {}),
      });
    }
    if (req.method === 'GET' && path === '/.well-known/sitewide-revocations') {
      const { sessions, users, status } = fake.feed;
      if (status !== 200) return json(status, { error: { code: 'service_unavailable', message: 'feed down' } });
      // The whole feed at every cursor: applying an entry twice is harmless.
      return json(200, { cursor: sessions.length + users.length, sessions, users, more: false, retention: 660 });
    }
    if (req.method === 'GET' && path === '/.well-known/jwks.json') {
      return json(200, { keys: published.map((k) => k.publicJwk) });
    }
    if (req.method === 'POST' && path === '/auth/token') {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      req.on('end', () => {
        fake.tokenRequests.push({
          authorization: req.headers.authorization ?? '',
          contentType: req.headers['content-type'] ?? '',
          body,
        });
        const answer = fake.token;
        setTimeout(() => json(answer.status, answer.body), answer.delayMs);
      });
      return;
    }
    if (req.method === 'POST' && path === '/auth/refresh') {
      refreshCookies.push(req.headers.cookie ?? '');
      const answer = fake.refresh;
      const send = () => json(answer.status, answer.body, answer.setCookie ? { 'set-cookie': answer.setCookie } : {});
      if (fake.refreshDelayMs > 0) return void setTimeout(send, fake.refreshDelayMs);
      return send();
    }
    return json(404, { error: { code: 'not_found', message: 'no such route' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  issuer = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  fake.issuer = issuer;
  return fake;
}
