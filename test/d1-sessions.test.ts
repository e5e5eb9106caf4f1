// D1's Sessions API (middleware/request-db): one D1 session per request, opened only when a route reaches D1;
// writes start at the primary and leave the bookmark cookie, which the browser's next reads start from.
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config/config';
import { parseBookmarks } from '../src/db/bookmark';
import { recordRevocations } from '../src/revocation/snapshot';
import { setCookies } from './support/cookies';
import { countingEnv } from './support/counting-d1';
import { rows } from './support/db';
import { FROM_APP } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const BOOKMARK_COOKIE = '__Host-sitewide-d1';
// One `NAME.bookmark` per database written: DB, and with SESSION_DBS the user's session database.
const BOOKMARK =
  /^[A-Z_0-9]+\.[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}(~[A-Z_0-9]+\.[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32})?$/;

/** One request through the whole app over a counting D1, with its own env object. */
async function counted(path: string, init: RequestInit = {}) {
  const { env: countedEnv, counter } = countingEnv(env);
  const res = await createApp().fetch(new Request(`${API}${path}`, init), countedEnv, createExecutionContext());
  return { res, counter, env: countedEnv };
}

const bookmarkOf = (res: Response) => setCookies(res).find((c) => c.name === BOOKMARK_COOKIE);

describe('the D1 bookmark cookie', () => {
  it('the sign-in callback sets it: host-only, Secure, HttpOnly, Path=/, SameSite=Lax, Max-Age=60', async () => {
    const { callback } = await signIn({ sub: 'google-sub-bookmark-1' });
    const cookie = bookmarkOf(callback);
    expect(cookie?.value).toMatch(BOOKMARK);
    expect(cookie?.attributes).toEqual({ path: '/', httponly: true, secure: true, samesite: 'Lax', 'max-age': '60' });
  });

  it('a revocation sets it, and the next GET /api/sessions starts its D1 session there and no longer lists the session', async () => {
    const { jar } = await signIn({ sub: 'google-sub-bookmark-2' });
    const other = await signIn({ sub: 'google-sub-bookmark-2' });
    const { sid: otherSid } = sessionOf(other.jar);
    const session = `${SESSION_COOKIE}=${jar.get(SESSION_COOKIE)}`;
    const revoke = await counted(`/api/sessions/${otherSid}/revoke`, {
      method: 'POST',
      headers: { cookie: session, ...FROM_APP },
    });
    expect(revoke.res.status).toBe(200);
    expect(revoke.counter.sessions).toEqual(['first-primary']);
    const bookmark = bookmarkOf(revoke.res)?.value;
    expect(bookmark).toMatch(BOOKMARK);

    const list = await counted('/api/sessions', { headers: { cookie: `${session}; ${BOOKMARK_COOKIE}=${bookmark}` } });
    expect(list.res.status).toBe(200);
    expect(list.counter.sessions).toEqual([...parseBookmarks(bookmark).values()]);
    const ids = ((await list.res.json()) as { sessions: Array<{ id: string }> }).sessions.map((s) => s.id);
    expect(ids).not.toContain(otherSid);
    expect(ids).toHaveLength(1);
    // A read sets no bookmark cookie.
    expect(bookmarkOf(list.res)).toBeUndefined();
  });

  it('a read without the cookie starts anywhere (first-unconstrained); a forged value is ignored, never sent to D1', async () => {
    const { jar } = await signIn({ sub: 'google-sub-bookmark-3' });
    const session = `${SESSION_COOKIE}=${jar.get(SESSION_COOKIE)}`;
    const plain = await counted('/api/sessions', { headers: { cookie: session } });
    expect(plain.res.status).toBe(200);
    expect(plain.counter.sessions).toEqual(['first-unconstrained']);
    const forged = await counted('/api/sessions', {
      headers: { cookie: `${session}; ${BOOKMARK_COOKIE}=DB.first-primary~DB~.00000000` },
    });
    expect(forged.res.status).toBe(200);
    expect(forged.counter.sessions).toEqual(['first-unconstrained']);
  });

  it('a fresh token opens no D1 session at all; an expired one opens one (unconstrained) for one SELECT', async () => {
    const { jar } = await signIn({ sub: 'google-sub-bookmark-4', email: 'b4@example.test', name: 'B4' });
    const fresh = await counted('/api/me', { headers: { cookie: jar.header() } });
    expect(fresh.res.status).toBe(200);
    expect(fresh.counter.sessions).toEqual([]);
    expect(fresh.counter.statements).toBe(0);

    const { userId, sid } = sessionOf(jar);
    const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * 60_000) });
    const renewed = await counted('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${expired}` } });
    expect(renewed.res.status).toBe(200);
    expect(renewed.counter.sessions).toEqual(['first-unconstrained']);
    expect(renewed.counter.verbs).toEqual(['SELECT']);
    expect(bookmarkOf(renewed.res)).toBeUndefined();
  });
});

describe('a refresh reading a lagging replica still refuses a revoked session (the snapshot comes first)', () => {
  // The feed knows the revocation; the D1 row does not (what a replica that has not caught up answers).
  async function revokedInFeedOnly(googleSub: string) {
    const { jar } = await signIn({ sub: googleSub });
    const { userId, sid } = sessionOf(jar);
    const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * 60_000) });
    return { sid, expired: `${SESSION_COOKIE}=${expired}` };
  }

  for (const [route, init] of [
    ['/api/me', {}],
    ['/auth/refresh', { method: 'POST' }],
  ] as const) {
    it(`${init.method ?? 'GET'} ${route}: 401 session_revoked, no D1 statement`, async () => {
      const { sid, expired } = await revokedInFeedOnly(`google-sub-lagging-${route}`);
      const { env: countedEnv, counter } = countingEnv(env);
      const config = loadConfig(countedEnv);
      if (config instanceof Error) throw config;
      await recordRevocations(countedEnv, config, { sessions: [sid] });
      const res = await createApp().fetch(
        new Request(`${API}${route}`, { ...init, headers: { cookie: expired } }),
        countedEnv,
        createExecutionContext(),
      );
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('session_revoked');
      expect(counter.statements).toBe(0);
      expect(await rows('sessions', 'id = ? AND revoked_at IS NULL', sid)).toHaveLength(1);
    });
  }
});
