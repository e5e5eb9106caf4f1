/**
 * The main bench Worker's credentials: the bench user and its sessions seeded in D1 (idempotent:
 * every run starts from the same rows), and the tokens its cases carry, signed with the configured
 * keys: fresh, expired (so every request refreshes), a pool of expired tokens of sessions whose
 * slide is due (`refresh-slide`), and an access token.
 */
import { type Credential, type Credentials, SLIDE_POOL } from '../cases';
import { ACCESS_TOKEN_TYP, ConfigError, loadConfig, loadSigningKeys, signSessionToken, signToken } from './app';

export const SEED = {
  userId: 'bench-user-0001',
  sessionId: 'bench-session-0001',
  email: 'bench@example.test',
  name: 'Bench User',
  image: 'https://example.test/avatar/bench.png',
};
export const PROFILE = { email: SEED.email, name: SEED.name, picture: SEED.image };
const DAY_MS = 24 * 3600 * 1000;

/** The Worker's Config and signing keys, and the context tokens are signed and verified with. */
export async function tokenContext(env: Env) {
  const config = loadConfig(env);
  if (config instanceof ConfigError) throw config;
  const keys = await loadSigningKeys(config.signingKeysJson);
  return {
    config,
    keys,
    ctx: { issuer: config.apiOrigin, audience: config.apiOrigin, maxLifetime: config.sessionTokenTtl },
  };
}
export type TokenContext = Awaited<ReturnType<typeof tokenContext>>;

/** The bench user and its live session. */
async function seedUser(env: Env, now: number) {
  await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO users (id, email, email_verified, name, image, created_at, updated_at) VALUES (?1, ?2, 1, ?3, ?4, ?5, ?5)
       ON CONFLICT (id) DO UPDATE SET disabled_at = NULL`,
    ).bind(SEED.userId, SEED.email, SEED.name, SEED.image, now),
    env.DB.prepare(
      `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent) VALUES (?1, ?2, ?3, ?3, ?4, 'bench')
       ON CONFLICT (id) DO UPDATE SET created_at = ?3, last_seen_at = ?3, expires_at = ?4, revoked_at = NULL`,
    ).bind(SEED.sessionId, SEED.userId, now, now + 30 * DAY_MS),
  ]);
}

const slideSessionId = (i: number) => `bench-slide-${String(i).padStart(4, '0')}`;

/** SLIDE_POOL sessions of the bench user, each last slid two days ago: its next refresh slides. */
async function seedSlidePool(env: Env, now: number) {
  await env.DB.prepare(
    `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, user_agent)
     WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < ?1 - 1)
     SELECT 'bench-slide-' || printf('%04d', i), ?2, ?3, ?4, ?5, 'bench' FROM c WHERE true
     ON CONFLICT (id) DO UPDATE SET created_at = ?3, last_seen_at = ?4, expires_at = ?5, revoked_at = NULL`,
  )
    .bind(SLIDE_POOL, SEED.userId, now - 3 * DAY_MS, now - 2 * DAY_MS, now + 28 * DAY_MS)
    .run();
}

/** An expired session token of `sid`: every request with it refreshes. */
function expiredToken({ config, keys, ctx }: TokenContext, sid: string, now: Date) {
  const iat = Math.floor(now.getTime() / 1000);
  const ttl = config.sessionTokenTtl;
  const claims = { sub: SEED.userId, sid, ttl, profile: PROFILE, iat: iat - 2 * ttl, exp: iat - ttl };
  return signSessionToken(claims, keys, { ...ctx, now });
}

/** The bench user seeded, a fresh token of its session, and its context. */
export async function freshToken(env: Env) {
  const k = await tokenContext(env);
  const now = new Date();
  await seedUser(env, now.getTime());
  const input = { sub: SEED.userId, sid: SEED.sessionId, ttl: k.config.sessionTokenTtl, profile: PROFILE };
  return { ...k, k, now, input, fresh: await signSessionToken(input, k.keys, { ...k.ctx, now }) };
}

const SINGLE: readonly Credential[] = ['session-cookie', 'expired-session-cookie', 'access-token'];

/** The headers of each credential the cases carry (a browser sends the cookie on the bare route too). */
export async function credentials(env: Env, wanted: readonly Credential[] = SINGLE): Promise<Credentials> {
  const t = await freshToken(env);
  const cookie = (token: string) => ({ cookie: `${t.config.sessionCookieName}=${token}` });
  const access = await signToken(ACCESS_TOKEN_TYP, { ...t.input, ttl: t.config.accessTokenTtl }, t.keys, {
    ...t.ctx,
    now: t.now,
  });
  const out: Credentials = {
    'session-cookie': cookie(t.fresh),
    'expired-session-cookie': cookie(await expiredToken(t.k, SEED.sessionId, t.now)),
    'access-token': { authorization: `Bearer ${access}` },
  };
  if (wanted.includes('expired-session-cookie-pool')) {
    await seedSlidePool(env, t.now.getTime());
    out['expired-session-cookie-pool'] = await Promise.all(
      Array.from({ length: SLIDE_POOL }, async (_, i) => cookie(await expiredToken(t.k, slideSessionId(i), t.now))),
    );
  }
  return out;
}
