/**
 * Bench-only Worker (npm run bench; never deployed). It serves the product app from ../src,
 * unchanged, plus the benchmarked routes composed onto it, and the /__bench control surface
 * (bench/worker-control.ts) over the cases of bench/cases.ts:
 *
 *   GET /bench/bare       no auth: the app's global middleware (headers, config, CORS) and a JSON body
 *   GET /api/bench/me     behind the product's requireSession() + csrfGuard(): the same JSON, no D1
 *   GET /api/me           the product route itself (requireSession; answered from the token's profile claims)
 *
 * The `floor` case sends bare's request to a Hono app with nothing but the route. The parts of the
 * fresh-cookie path on their own (verify, sign, …) are its micro cases.
 */
import { Hono } from 'hono';
import { createApp } from '../src/app';
import { ConfigError, loadConfig } from '../src/config';
import { snapshotOf } from '../src/revocation/snapshot';
import { loadSigningKeys } from '../src/session/keys';
import { ACCESS_TOKEN_TYP, signSessionToken, signToken, verifySessionToken } from '../src/session/token';
import { type Credential, type Credentials, type MicroCaseName, SLIDE_POOL } from './cases';
import { benchWorker } from './worker-control';
import { d1Routes } from './worker-d1-bench';
import { feedCost } from './worker-feed';

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

const slideSessionId = (i: number) => `bench-slide-${String(i).padStart(4, '0')}`;

/**
 * The sessions `refresh-slide` rotates through (SLIDE_POOL of the seeded user), reset so that
 * each one's last slide is two days old: its next refresh slides.
 */
async function seedSlidePool(env: Env, now: number) {
  const day = 24 * 3600 * 1000;
  await env.DB.prepare(
    `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent)
     WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?1 - 1)
     SELECT 'bench-slide-' || printf('%04d', i), ?2, ?3, ?4, ?5, 'bench' FROM c WHERE true
     ON CONFLICT (id) DO UPDATE SET created_at = ?3, last_seen_at = ?4, expires_at = ?5, revoked_at = NULL`,
  )
    .bind(SLIDE_POOL, SEED.userId, now - 3 * day, now - 2 * day, now + 28 * day)
    .run();
}

type Keys = Awaited<ReturnType<typeof context>>;
const PROFILE = { email: SEED.email, name: SEED.name, picture: SEED.image };

/** An expired session token of `sid` (every request with it refreshes). */
function expiredToken({ config, keys, ctx }: Keys, sid: string, now: Date) {
  const iat = Math.floor(now.getTime() / 1000);
  return signSessionToken(
    {
      sub: SEED.userId,
      sid,
      ttl: config.sessionTokenTtl,
      profile: PROFILE,
      iat: iat - 2 * config.sessionTokenTtl,
      exp: iat - config.sessionTokenTtl,
    },
    keys,
    { ...ctx, now },
  );
}

/** Tokens for the cases, signed here with the configured keys: fresh, expired (so every call refreshes), access. */
async function tokens(env: Env) {
  const k = await context(env);
  const { config, keys, ctx } = k;
  const now = new Date();
  await seed(env, now.getTime());
  const input = { sub: SEED.userId, sid: SEED.sessionId, ttl: config.sessionTokenTtl, profile: PROFILE };
  const fresh = await signSessionToken(input, keys, { ...ctx, now });
  const expired = await expiredToken(k, SEED.sessionId, now);
  const access = await signToken(ACCESS_TOKEN_TYP, { ...input, ttl: config.accessTokenTtl }, keys, { ...ctx, now });
  return { config, keys, ctx, fresh, expired, access, now, k };
}

const SINGLE: readonly Credential[] = ['session-cookie', 'expired-session-cookie', 'access-token'];

/** The headers of each credential the cases carry. A browser sends the cookie on the bare route too. */
async function credentials(env: Env, wanted: readonly Credential[] = SINGLE): Promise<Credentials> {
  const t = await tokens(env);
  const cookie = (token: string) => ({ cookie: `${t.config.sessionCookieName}=${token}` });
  const out: Credentials = {
    'session-cookie': cookie(t.fresh),
    'expired-session-cookie': cookie(t.expired),
    'access-token': { authorization: `Bearer ${t.access}` },
  };
  if (wanted.includes('expired-session-cookie-pool')) {
    await seedSlidePool(env, t.now.getTime());
    out['expired-session-cookie-pool'] = await Promise.all(
      Array.from({ length: SLIDE_POOL }, async (_, i) => cookie(await expiredToken(t.k, slideSessionId(i), t.now))),
    );
  }
  return out;
}

const b64urlBytes = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0));

let ed25519: Promise<CryptoKeyPair> | undefined;
let hmacKey: Promise<CryptoKey> | undefined;

/** The parts of the fresh-cookie path on their own (same token, same keys), to see what limits it. */
async function microOps(env: Env): Promise<Record<MicroCaseName, () => Promise<unknown>>> {
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
  const verified = await verifySessionToken(fresh, keys, ctx);
  if (!verified.ok) throw new Error(`the bench token does not verify: ${verified.code}`);
  const claims = verified.claims;
  const cache = new Map([[fresh, verified]]);
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
      signSessionToken(
        {
          sub: SEED.userId,
          sid: SEED.sessionId,
          ttl: config.sessionTokenTtl,
          profile: { email: SEED.email, name: SEED.name, picture: SEED.image },
        },
        keys,
        ctx,
      ),
    // Alternatives, same signing input.
    'verify-ed25519-webcrypto': () => crypto.subtle.verify({ name: 'Ed25519' }, pair.publicKey, edSig, signingInput),
    'verify-hs256-webcrypto': () => crypto.subtle.verify('HMAC', key, mac, signingInput),
    // A per-isolate cache of verified tokens (token string -> claims, checked against exp): a Map lookup.
    'verified-token-cache-hit': async () => {
      const hit = cache.get(fresh);
      if (!hit?.ok || hit.claims.exp * 1000 <= Date.now()) throw new Error('miss');
      return hit;
    },
    // What requireSession (isRevoked) adds for the revocation feed: the snapshot, polled from the
    // Durable Object once per REVOCATION_POLL, asked about the token's session and user.
    'revocation-snapshot-check': async () => {
      const snapshot = snapshotOf(env, config);
      const polling = snapshot.fresh((promise) => promise.catch(() => {}));
      if (polling) await polling;
      return snapshot.refuses(claims);
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

export default benchWorker({
  app: app.fetch,
  handlers: { sitewide: app.fetch, floor: floor.fetch },
  credentials,
  micro: microOps,
  routes: {
    '/__bench/feed': async (url, env) => feedCost(env, (await context(env)).config, url),
    ...d1Routes({ app: app.fetch, context }),
  },
});

/** The revocation feed the product app polls (bench/wrangler.toml binds it as in production), timed from inside. */
export { BenchRevocationFeed as RevocationFeed } from './worker-feed';
