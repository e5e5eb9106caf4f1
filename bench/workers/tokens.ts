/** The main bench Worker's credentials: the bench user's rows seeded (idempotent) and the tokens its cases carry. */
import { type Credential, type Credentials, SLIDE_POOL } from '../cases';
import { ACCESS_TOKEN_TYP, ConfigError, loadConfig, loadSigningKeys, signSessionToken, signToken } from './app';

const AVATAR = 'https://example.test/avatar/bench.png';
const [userId, sessionId] = ['bench-user-0001', 'bench-session-0001'];
export const SEED = { userId, sessionId, email: 'bench@example.test', name: 'Bench User', image: AVATAR };
export const PROFILE = { email: SEED.email, name: SEED.name, picture: SEED.image };
const DAY_MS = 24 * 3600 * 1000;

/** The Worker's Config and signing keys, and the context tokens are signed and verified with. */
export async function tokenContext(env: Env) {
  const config = loadConfig(env);
  if (config instanceof ConfigError) throw config;
  const ctx = { issuer: config.apiOrigin, audience: config.apiOrigin, maxLifetime: config.sessionTokenTtl };
  return { config, keys: await loadSigningKeys(config.signingKeysJson), ctx };
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

type Profile = { email: string; name: string; picture: string | null };

/** The session cookie of `sid` (of user `sub`), with a fresh token or an expired one (every request with it refreshes). */
export async function sessionCookie(
  k: TokenContext,
  [sub, sid]: [string, string],
  profile: Profile,
  now: Date,
  expired = false,
) {
  const [iat, ttl] = [Math.floor(now.getTime() / 1000), k.config.sessionTokenTtl];
  const times = expired ? { iat: iat - 2 * ttl, exp: iat - ttl } : {};
  const token = await signSessionToken({ sub, sid, ttl, profile, ...times }, k.keys, { ...k.ctx, now });
  return { cookie: `${k.config.sessionCookieName}=${token}`, token };
}

/** The bench user seeded, a fresh token of its session, and its context. */
export async function freshToken(env: Env) {
  const k = await tokenContext(env);
  const now = new Date();
  await seedUser(env, now.getTime());
  const input = { sub: SEED.userId, sid: SEED.sessionId, ttl: k.config.sessionTokenTtl, profile: PROFILE };
  return { ...k, k, now, input, fresh: (await sessionCookie(k, [SEED.userId, SEED.sessionId], PROFILE, now)).token };
}

const SINGLE: readonly Credential[] = ['session-cookie', 'expired-session-cookie', 'access-token'];

/** The headers of each credential the cases carry (a browser sends the cookie on the bare route too). */
export async function credentials(env: Env, wanted: readonly Credential[] = SINGLE): Promise<Credentials> {
  const { k, now, input } = await freshToken(env);
  const cookie = async (sid: string, expired: boolean) => ({
    cookie: (await sessionCookie(k, [SEED.userId, sid], PROFILE, now, expired)).cookie,
  });
  const access = await signToken(ACCESS_TOKEN_TYP, { ...input, ttl: k.config.accessTokenTtl }, k.keys, {
    ...k.ctx,
    now,
  });
  const out: Credentials = {
    'session-cookie': await cookie(SEED.sessionId, false),
    'expired-session-cookie': await cookie(SEED.sessionId, true),
    'access-token': { authorization: `Bearer ${access}` },
  };
  if (wanted.includes('expired-session-cookie-pool')) {
    await seedSlidePool(env, now.getTime());
    out['expired-session-cookie-pool'] = await Promise.all(
      Array.from({ length: SLIDE_POOL }, (_, i) => cookie(slideSessionId(i), true)),
    );
  }
  return out;
}
