/**
 * Bench-only Worker (npm run bench; never deployed). It serves the product app from ../src,
 * unchanged, plus the benchmarked routes composed onto it, and a /__bench control surface:
 *
 *   GET /bench/bare       no auth: the app's global middleware (headers, config, CORS) and a JSON body
 *   GET /api/bench/me     behind the product's requireSession() + csrfGuard(): the same JSON, no D1
 *   GET /api/me           the product route itself (requireSession, then one D1 read of the user row)
 *   GET /bench/cached/me  the same JSON behind a prototype with a verified-token cache (cached-session.ts)
 *
 *   GET /__bench/cases                  tokens + the request of every case (for the HTTP load runs)
 *   GET /__bench/run?case=NAME&n=N      in-isolate: app.fetch() the case's request n times, timed here
 *   GET /__bench/micro?case=NAME&n=N    cost breakdown: verify / sign on their own
 *   GET /__bench/mix?cases=A,B&ms=T     the cases interleaved chunk by chunk for T ms (micro=1: the parts)
 *   GET /__bench/outbound[?reset=1]     outbound fetches of this isolate, by URL
 */
import { Hono } from 'hono';
import { createApp } from '../src/app';
import { ConfigError, loadConfig } from '../src/config';
import { csrfGuard } from '../src/middleware/csrf-guard';
import { loadSigningKeys } from '../src/session/keys';
import { ACCESS_TOKEN_TYP, signSessionToken, signToken, verifySessionToken } from '../src/session/token';
import { cachedRequireSession } from './cached-session';
import {
  type BenchRequest,
  intParam,
  mixOptions,
  outboundCounts,
  requestEntry,
  runLoop,
  runMicro,
  runMix,
  timed,
} from './worker-support';

const SEED = {
  userId: 'bench-user-0001',
  sessionId: 'bench-session-0001',
  email: 'bench@example.test',
  name: 'Bench User',
  image: 'https://example.test/avatar/bench.png',
};
/** Every benchmarked route answers exactly this JSON (GET /api/me's shape). */
const USER_JSON = { id: SEED.userId, email: SEED.email, name: SEED.name, image: SEED.image };

const app = createApp();
app.get('/bench/bare', (c) => c.json(USER_JSON));
app.get('/api/bench/me', (c) => c.json({ ...USER_JSON, id: c.var.session.sub }));
// What would close the gap, measured: the same route behind a prototype with a verified-token cache.
app.get('/bench/cached/me', cachedRequireSession(), csrfGuard(), (c) =>
  c.json({ ...USER_JSON, id: c.var.session.sub }),
);

/** A Hono app with nothing but the route: the floor under everything else. */
const floor = new Hono().get('/bench/bare', (c) => c.json(USER_JSON));

async function context(env: Env) {
  const config = loadConfig(env);
  if (config instanceof ConfigError) throw config;
  const keys = await loadSigningKeys(config.signingKeysJson);
  return {
    config,
    keys,
    ctx: { issuer: config.apiOrigin, audience: config.apiOrigin, maxLifetime: config.sessionTokenTtl },
  };
}

/** The seeded user and a live session (idempotent: every run starts from the same rows). */
async function seed(env: Env, now: number) {
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO users (id, email, email_verified, name, image, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET disabled_at = NULL`,
    ).bind(SEED.userId, SEED.email, SEED.name, SEED.image, now),
    env.DB.prepare(
      `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent) VALUES (?1, ?2, ?3, ?3, ?4, 'bench')
       ON CONFLICT (id) DO UPDATE SET created_at = ?3, last_seen_at = ?3, expires_at = ?4, revoked_at = NULL`,
    ).bind(SEED.sessionId, SEED.userId, now, now + 30 * 24 * 3600 * 1000),
  ]);
}

/** Tokens for the cases, signed here with the configured keys: fresh, expired (so every call refreshes), access. */
async function tokens(env: Env) {
  const { config, keys, ctx } = await context(env);
  const now = new Date();
  await seed(env, now.getTime());
  const input = { sub: SEED.userId, sid: SEED.sessionId, ttl: config.sessionTokenTtl };
  const iat = Math.floor(now.getTime() / 1000);
  const fresh = await signSessionToken(input, keys, { ...ctx, now });
  const expired = await signSessionToken(
    { ...input, iat: iat - 2 * config.sessionTokenTtl, exp: iat - config.sessionTokenTtl },
    keys,
    { ...ctx, now },
  );
  const access = await signToken(ACCESS_TOKEN_TYP, { ...input, ttl: config.accessTokenTtl }, keys, { ...ctx, now });
  return { config, keys, ctx, fresh, expired, access };
}

/** The request of each case: path and headers. A browser sends the cookie on the bare route too. */
async function caseRequests(env: Env) {
  const t = await tokens(env);
  const cookie = (token: string) => ({ cookie: `${t.config.sessionCookieName}=${token}` });
  const cases: Record<string, { path: string; headers: Record<string, string>; expect: { d1RoundTrips: number } }> = {
    bare: { path: '/bench/bare', headers: cookie(t.fresh), expect: { d1RoundTrips: 0 } },
    'me-fresh': { path: '/api/bench/me', headers: cookie(t.fresh), expect: { d1RoundTrips: 0 } },
    'me-fresh-db': { path: '/api/me', headers: cookie(t.fresh), expect: { d1RoundTrips: 1 } },
    refresh: { path: '/api/bench/me', headers: cookie(t.expired), expect: { d1RoundTrips: 1 } },
    bearer: { path: '/api/bench/me', headers: { authorization: `Bearer ${t.access}` }, expect: { d1RoundTrips: 0 } },
    'me-fresh-cached': { path: '/bench/cached/me', headers: cookie(t.fresh), expect: { d1RoundTrips: 0 } },
  };
  return { t, cases };
}

async function runCase(url: URL, env: Env, ctx: ExecutionContext) {
  const name = url.searchParams.get('case') ?? '';
  const n = intParam(url, 'n', 10_000, 100_000);
  const { t, cases } = await caseRequests(env);
  // `floor` sends bare's request to a Hono app with nothing but the route.
  const spec = cases[name === 'floor' ? 'bare' : name];
  if (!spec) throw new Error(`unknown case '${name}'`);
  const handler = name === 'floor' ? floor.fetch : app.fetch;
  return runLoop(name, n, () => benchRequest(t.config.apiOrigin, spec, handler, env), ctx);
}

function benchRequest(
  origin: string,
  spec: { path: string; headers: Record<string, string> },
  handler: BenchRequest['handler'],
  env: Env,
): BenchRequest {
  return { request: new Request(`${origin}${spec.path}`, { headers: spec.headers }), handler, env };
}

const b64urlBytes = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0));

let ed25519: Promise<CryptoKeyPair> | undefined;
let hmacKey: Promise<CryptoKey> | undefined;

const MICRO_CASES = [
  'verify-es256-webcrypto',
  'verify-jose',
  'sign-jose',
  'verify-ed25519-webcrypto',
  'verify-hs256-webcrypto',
  'verified-token-cache-hit',
  'console-log-line',
] as const;

/** The parts of the fresh-cookie path on their own (same token, same keys), to see what limits it. */
async function microOps(env: Env): Promise<Record<(typeof MICRO_CASES)[number], () => Promise<unknown>>> {
  const { keys, ctx, fresh, config } = await tokens(env);
  const [header = '', payload = '', signature = ''] = fresh.split('.');
  const signingInput = new TextEncoder().encode(`${header}.${payload}`);
  const sig = b64urlBytes(signature);
  const publicKey = keys.verify.get(keys.current.kid) as CryptoKey;
  ed25519 ??= crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
  const pair = await ed25519;
  const edSig = await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, signingInput);
  hmacKey ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]) as Promise<CryptoKey>;
  const key = await hmacKey;
  const mac = await crypto.subtle.sign('HMAC', key, signingInput);
  const cache = new Map([[fresh, await verifySessionToken(fresh, keys, ctx)]]);
  return {
    // The floor of any ES256 verifier: one Web Crypto ECDSA P-256 verify of the session token.
    'verify-es256-webcrypto': () =>
      crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, sig, signingInput),
    // What requireSession does for a token it has not seen: jose jwtVerify with every option pinned.
    // A key set object it has not seen misses the product's verified-token cache: the full jose check,
    // i.e. what the first request with a token costs in an isolate.
    'verify-jose': () => verifySessionToken(fresh, { ...keys }, ctx),
    // What a refresh adds besides D1: re-signing the token.
    'sign-jose': () =>
      signSessionToken({ sub: SEED.userId, sid: SEED.sessionId, ttl: config.sessionTokenTtl }, keys, ctx),
    // Alternatives, same signing input.
    'verify-ed25519-webcrypto': () => crypto.subtle.verify({ name: 'Ed25519' }, pair.publicKey, edSig, signingInput),
    'verify-hs256-webcrypto': () => crypto.subtle.verify('HMAC', key, mac, signingInput),
    // A per-isolate cache of verified tokens (token string -> claims, checked against exp): a Map lookup.
    'verified-token-cache-hit': async () => {
      const hit = cache.get(fresh);
      if (!hit?.ok || hit.claims.exp * 1000 <= Date.now()) throw new Error('miss');
      return hit;
    },
    // One request log line as the app writes it (src/log.ts: JSON.stringify + console.log).
    'console-log-line': async () =>
      console.log(
        JSON.stringify({
          level: 'info',
          msg: 'request',
          request_id: crypto.randomUUID(),
          method: 'GET',
          path: '/bench/bare',
          status: 200,
          duration_ms: 0,
        }),
      ),
  };
}

async function runMicroCase(url: URL, env: Env) {
  const name = url.searchParams.get('case') ?? '';
  const ops: Record<string, () => Promise<unknown>> = await microOps(env);
  const op = ops[name];
  if (!op) throw new Error(`unknown micro case '${name}'`);
  return runMicro(name, intParam(url, 'n', 10_000, 2_000_000), op);
}

/** GET /__bench/mix?cases=a,b,…: the request cases (or, with micro=1, the micro cases) interleaved chunk by chunk. */
async function mix(url: URL, env: Env, ctx: ExecutionContext) {
  const names = (url.searchParams.get('cases') ?? '').split(',').filter(Boolean);
  if (url.searchParams.has('micro')) {
    const ops: Record<string, () => Promise<unknown>> = await microOps(env);
    const entries = names.map((name) => {
      const op = ops[name];
      if (!op) throw new Error(`unknown micro case '${name}'`);
      return {
        name,
        op: async () => {
          await op();
          return undefined;
        },
      };
    });
    return runMix(entries, mixOptions(url));
  }
  const { t, cases } = await caseRequests(env);
  const entries = names.map((name) => {
    const spec = cases[name === 'floor' ? 'bare' : name];
    if (!spec) throw new Error(`unknown case '${name}'`);
    const handler = name === 'floor' ? floor.fetch : app.fetch;
    return requestEntry(name, benchRequest(t.config.apiOrigin, spec, handler, env), ctx);
  });
  return runMix(entries, mixOptions(url));
}

async function control(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  try {
    switch (url.pathname) {
      case '/__bench/cases': {
        const { t, cases } = await caseRequests(env);
        return Response.json({ cookieName: t.config.sessionCookieName, apiOrigin: t.config.apiOrigin, cases });
      }
      case '/__bench/run':
        return Response.json(await runCase(url, env, ctx));
      case '/__bench/micro':
        return Response.json(await runMicroCase(url, env));
      case '/__bench/mix':
        return Response.json(await mix(url, env, ctx));
      case '/__bench/outbound':
        return Response.json(outboundCounts(url.searchParams.has('reset')));
      default:
        return Response.json({ error: 'no such bench route' }, { status: 404 });
    }
  } catch (error) {
    return Response.json({ error: String(error), stack: (error as Error).stack }, { status: 500 });
  }
}

export default {
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/__bench/')) return control(request, env, ctx);
    // The sign-in callback reports its server-side time; everything else is served untouched.
    if (pathname.startsWith('/auth/callback/')) return timed(async () => app.fetch(request, env, ctx));
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
