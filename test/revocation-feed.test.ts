// The revocation feed (src/revocation): a revocation written in one isolate is refused by every
// other isolate within REVOCATION_POLL, with no D1 read on a fresh cookie. Each `apiWith(...)` is
// one "isolate": its own env object, so its own snapshot (src/revocation/snapshot.ts).
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { FEED_TIMEOUT_MS } from '../src/revocation/snapshot';
import type { RevocationPage } from '../src/revocation/types';
import type { CookieJar } from './support/cookies';
import { countingD1 } from './support/counting-d1';
import { copyOf, countingFeed } from './support/counting-feed';
import { rows } from './support/db';
import { BYE, codeOf, FORM, FROM_APP } from './support/http';
import { apiWith, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';
import { mint } from './support/tokens';
import { API, api, SESSION_COOKIE } from './support/worker';

const POLL_MS = 200;
const POLL = String(POLL_MS / 1000);
const afterOnePoll = () => new Promise((resolve) => setTimeout(resolve, POLL_MS + 50));

type Feed = Env['REVOCATION_FEED'];

/** An isolate polling every POLL_MS, optionally with its own feed binding and D1. */
function isolate(bindings: { feed?: Feed; db?: D1Database; poll?: string } = {}) {
  return apiWith({
    REVOCATION_POLL: bindings.poll ?? POLL,
    ...(bindings.feed ? { REVOCATION_FEED: bindings.feed } : {}),
    ...(bindings.db ? { DB: bindings.db } : {}),
  } as unknown as Partial<Record<keyof Env, string>>);
}

async function signOut(fetcher: ReturnType<typeof apiWith>, jar: CookieJar) {
  const csrf = await fetcher('/auth/csrf', { jar });
  jar.store(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetcher('/auth/signout', {
    method: 'POST',
    jar,
    headers: { ...FORM, ...FROM_APP },
    body: new URLSearchParams({ csrfToken, callbackUrl: BYE }),
  });
  expect(res.status).toBe(302);
  return res;
}

async function expectRevoked(res: Response) {
  expect({ status: res.status, code: await codeOf(res) }).toEqual({ status: 401, code: 'session_revoked' });
}

describe('a revocation reaches another isolate within one poll interval', () => {
  it('POST /api/sessions/:id/revoke: the fresh cookie is refused elsewhere, with zero D1 reads', async () => {
    const a = isolate();
    const { db, counter } = countingD1(env.DB);
    const b = isolate({ db });
    const phone = await signInTo(a, { sub: 'feed-revoke' });
    const laptop = await signInTo(a, { sub: 'feed-revoke' });
    expect((await b('/api/me', { jar: phone.jar })).status).toBe(200);

    const revoke = await a(`/api/sessions/${sessionOf(phone.jar).sid}/revoke`, {
      method: 'POST',
      jar: laptop.jar,
      headers: FROM_APP,
    });
    expect(revoke.status).toBe(200);
    await afterOnePoll();
    counter.statements = 0;
    await expectRevoked(await b('/api/me', { jar: phone.jar }));
    expect((await b('/api/me', { jar: laptop.jar })).status).toBe(200);
    // Refused and served from the snapshot and the token: D1 never asked.
    expect(counter.statements).toBe(0);
  });

  it('sign-out (POST /auth/signout): a copy of the cookie is refused elsewhere', async () => {
    const a = isolate();
    const b = isolate();
    const { jar } = await signInTo(a, { sub: 'feed-sign-out' });
    const stolen = copyOf(jar);
    expect((await b('/api/me', { jar: stolen })).status).toBe(200);
    await signOut(a, jar);
    await afterOnePoll();
    await expectRevoked(await b('/api/me', { jar: stolen }));
  });

  it('revoke-all: every other session of the user is refused elsewhere; a new sign-in is not', async () => {
    const a = isolate();
    const b = isolate();
    const laptop = await signInTo(a, { sub: 'feed-revoke-all' });
    const phone = await signInTo(a, { sub: 'feed-revoke-all' });
    const tablet = await signInTo(a, { sub: 'feed-revoke-all' });
    const res = await a('/api/sessions/revoke-all', { method: 'POST', jar: laptop.jar, headers: FROM_APP });
    expect(await res.json()).toEqual({ revoked: 3 });
    await afterOnePoll();
    await expectRevoked(await b('/api/me', { jar: phone.jar }));
    await expectRevoked(await b('/api/me', { jar: tablet.jar }));
    // An access-token-style check by time: an older token of the user (another sid) is refused too.
    const { userId } = sessionOf(phone.jar);
    const older = await mint({ sub: userId, sid: 'not-listed', now: new Date(Date.now() - 60_000) });
    await expectRevoked(await b('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${older}` } }));
    // Signing in again, even within the same second, is a new session the feed does not hold.
    const again = await signInTo(a, { sub: 'feed-revoke-all' });
    await afterOnePoll();
    expect((await b('/api/me', { jar: again.jar })).status).toBe(200);
  });

  it('DELETE /api/me: the other sessions of the deleted user are refused elsewhere', async () => {
    const a = isolate();
    const b = isolate();
    const phone = await signInTo(a, { sub: 'feed-delete' });
    const laptop = await signInTo(a, { sub: 'feed-delete' });
    expect((await b('/api/me', { jar: phone.jar })).status).toBe(200);
    const res = await a('/api/me', { method: 'DELETE', jar: laptop.jar, headers: FROM_APP });
    expect(res.status).toBe(204);
    await afterOnePoll();
    await expectRevoked(await b('/api/me', { jar: phone.jar }));
  });

  it('a Bearer access token of a revoked session is refused elsewhere (with its WWW-Authenticate)', async () => {
    const a = isolate();
    const b = isolate();
    const { jar } = await signInTo(a, { sub: 'feed-bearer' });
    const minted = await a('/auth/token', {
      method: 'POST',
      jar,
      headers: { ...FROM_APP, 'content-type': 'application/json' },
      body: JSON.stringify({ audience: API }),
    });
    expect(minted.status).toBe(200);
    const { access_token: token } = (await minted.json()) as { access_token: string };
    const bearer = { authorization: `Bearer ${token}` };
    expect((await b('/api/me', { headers: bearer })).status).toBe(200);
    await signOut(a, copyOf(jar));
    await afterOnePoll();
    const refused = await b('/api/me', { headers: bearer });
    await expectRevoked(refused);
    expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});

describe('the snapshot is polled once per interval, not per request', () => {
  it('20 requests in a row and 10 at once within one interval: one poll; after the interval: one more', async () => {
    const { feed, counter } = countingFeed();
    const c = isolate({ feed, poll: '1' });
    const { jar } = await signInTo(c, { sub: 'feed-count' });
    expect(counter.since).toBe(0);
    const started = Date.now();
    for (let i = 0; i < 20; i++) expect((await c('/api/me', { jar })).status).toBe(200);
    const together = await Promise.all(Array.from({ length: 10 }, () => c('/api/me', { jar })));
    expect(together.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(counter.since).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1050));
    for (let i = 0; i < 5; i++) expect((await c('/api/me', { jar })).status).toBe(200);
    expect(counter.since).toBe(2);
  });

  it('concurrent first requests on a new isolate share one poll', async () => {
    const { feed, counter } = countingFeed();
    const c = isolate({ feed });
    const { jar } = await signInTo(c, { sub: 'feed-count-first' });
    const together = await Promise.all(Array.from({ length: 10 }, () => c('/api/me', { jar })));
    expect(together.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(counter.since).toBe(1);
  });
});

describe('a feed outage', () => {
  it('keeps fresh tokens working and keeps refusing what the last snapshot holds, without waiting', async () => {
    const a = isolate();
    const { feed, counter } = countingFeed();
    const c = isolate({ feed });
    const revoked = await signInTo(a, { sub: 'feed-outage-revoked' });
    const stolen = copyOf(revoked.jar);
    const fine = await signInTo(a, { sub: 'feed-outage-fine' });
    await signOut(a, revoked.jar);
    await expectRevoked(await c('/api/me', { jar: stolen }));

    counter.down = true;
    await afterOnePoll();
    const started = Date.now();
    expect((await c('/api/me', { jar: fine.jar })).status).toBe(200);
    await expectRevoked(await c('/api/me', { jar: stolen }));
    await afterOnePoll();
    expect((await c('/api/me', { jar: fine.jar })).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(FEED_TIMEOUT_MS);
    expect(counter.since).toBeGreaterThanOrEqual(3);
  });

  it('a revocation while the feed is down: the user gets their 200, D1 holds it; elsewhere the token-lifetime bound applies', async () => {
    const { feed, counter } = countingFeed();
    counter.down = true;
    const a = isolate({ feed });
    const b = isolate({ feed });
    const phone = await signInTo(a, { sub: 'feed-down-revoke' });
    const laptop = await signInTo(a, { sub: 'feed-down-revoke' });
    const { sid, userId } = sessionOf(phone.jar);
    const res = await a(`/api/sessions/${sid}/revoke`, { method: 'POST', jar: laptop.jar, headers: FROM_APP });
    expect(res.status).toBe(200);
    expect(counter.record).toBe(1);
    expect(await rows('sessions', 'id = ? AND revoked_at IS NOT NULL', sid)).toHaveLength(1);
    // The isolate that revoked knows at once; another one never heard of it: the fresh token
    // lives out its lifetime there (never a lock-out), and its refresh reads D1.
    await expectRevoked(await a('/api/me', { jar: phone.jar }));
    expect((await b('/api/me', { jar: phone.jar })).status).toBe(200);
    const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * 60_000) });
    await expectRevoked(await b('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${expired}` } }));
  });
});

describe('GET /.well-known/sitewide-revocations and SitewideRpc.revocations', () => {
  it('serves the feed since a cursor: random session ids and opaque user ids, cacheable for a second', async () => {
    const a = isolate();
    const phone = await signInTo(a, { sub: 'feed-public', email: 'feed-public@example.test', name: 'Feed Public' });
    const laptop = await signInTo(a, { sub: 'feed-public' });
    const { sid } = sessionOf(phone.jar);
    await a(`/api/sessions/${sid}/revoke`, { method: 'POST', jar: laptop.jar, headers: FROM_APP });

    const res = await api('/.well-known/sitewide-revocations?since=0');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=1');
    const text = await res.text();
    expect(text).not.toContain('@');
    expect(text).not.toContain('Feed Public');
    const page = JSON.parse(text) as RevocationPage;
    expect(page.sessions).toContainEqual({ id: sid, at: expect.any(Number) });
    // retention: max(SESSION_TOKEN_TTL 600, ACCESS_TOKEN_TTL 300) + 60 s of clock skew.
    expect(page).toMatchObject({ more: false, retention: 660 });
    expect(page.cursor).toBeGreaterThan(0);

    const next = (await (await api(`/.well-known/sitewide-revocations?since=${page.cursor}`)).json()) as RevocationPage;
    expect(next).toMatchObject({ cursor: page.cursor, sessions: [], users: [] });
    // A cursor the feed never gave starts over.
    const ahead = (await (await api('/.well-known/sitewide-revocations?since=999999999')).json()) as RevocationPage;
    expect(ahead.sessions).toContainEqual({ id: sid, at: expect.any(Number) });

    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const refused = await api(`/.well-known/sitewide-revocations?since=${bad}`);
      expect({ status: refused.status, code: await codeOf(refused) }, bad).toEqual({
        status: 400,
        code: 'validation_failed',
      });
    }

    const rpc = await exports.SitewideRpc.revocations(0);
    expect(rpc.sessions).toContainEqual({ id: sid, at: expect.any(Number) });
    expect(rpc.cursor).toBe(page.cursor);
  });
});
