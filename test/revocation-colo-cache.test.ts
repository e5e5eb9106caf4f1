// The location's cache in front of the revocation feed (src/revocation/colo-cache.ts): with
// REVOCATION_POLL >= 2 s, isolates of one location that ask the feed with the same cursor within a
// second share one Durable Object call; a revocation still reaches them within REVOCATION_POLL + 1 s.
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { coloCacheSecondsOf } from '../src/revocation/colo-cache';
import { copyOf, countingFeed } from './support/counting-feed';
import { BYE, codeOf, FORM, FROM_APP } from './support/http';
import { apiWith, signInTo } from './support/policy';
import { API } from './support/worker';

/** One isolate (its own env, so its own snapshot) polling every `poll` seconds, with its own counted feed binding. */
function isolate(poll: string) {
  const { feed, counter } = countingFeed();
  const fetcher = apiWith({ REVOCATION_POLL: poll, REVOCATION_FEED: feed } as unknown as Partial<
    Record<keyof Env, string>
  >);
  return { fetcher, counter };
}

describe('the location cache in front of the feed', () => {
  it('is on for 1 s when REVOCATION_POLL is 2 s or more, off below', () => {
    expect([0.2, 1, 1.99, 2, 5, 60].map((poll) => coloCacheSecondsOf({ revocationPoll: poll }))).toEqual([
      0, 0, 0, 1, 1, 1,
    ]);
  });

  it('five isolates at the same cursor within a second: one Durable Object call between them', async () => {
    const first = isolate('2');
    const five = [first, isolate('2'), isolate('2'), isolate('2'), isolate('2')];
    const { jar } = await signInTo(first.fetcher, { sub: 'colo-five' });
    for (const { fetcher } of five) expect((await fetcher('/api/me', { jar })).status).toBe(200);
    expect(five.map(({ counter }) => counter.since)).toEqual([1, 0, 0, 0, 0]);
  });

  it('below 2 s each isolate asks the feed itself', async () => {
    const first = isolate('1');
    const two = [first, isolate('1')];
    const { jar } = await signInTo(first.fetcher, { sub: 'colo-off' });
    for (const { fetcher } of two) expect((await fetcher('/api/me', { jar })).status).toBe(200);
    expect(two.map(({ counter }) => counter.since)).toEqual([1, 1]);
  });

  it('a sign-out in one isolate is refused by another within REVOCATION_POLL + 1 s of cache (+1 s of slack for a loaded machine)', async () => {
    const a = isolate('2');
    const b = isolate('2');
    const { jar } = await signInTo(a.fetcher, { sub: 'colo-bound' });
    const stolen = copyOf(jar);
    expect((await b.fetcher('/api/me', { jar: stolen })).status).toBe(200);
    const csrf = await a.fetcher('/auth/csrf', { jar });
    jar.store(csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const out = await a.fetcher('/auth/signout', {
      method: 'POST',
      jar,
      headers: { ...FORM, ...FROM_APP },
      body: new URLSearchParams({ csrfToken, callbackUrl: BYE }),
    });
    expect(out.status).toBe(302);
    const signedOutAt = Date.now();
    let refusedAfter: number | undefined;
    while (Date.now() - signedOutAt < 6000) {
      const res = await b.fetcher('/api/me', { jar: stolen });
      if (res.status === 401) {
        expect(await codeOf(res)).toBe('session_revoked');
        refusedAfter = Date.now() - signedOutAt;
        break;
      }
      expect(res.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refusedAfter).toBeDefined();
    // REVOCATION_POLL (2 s) + the location cache (1 s) + slack for the probes and a busy machine.
    expect(refusedAfter).toBeLessThanOrEqual(2000 + 1000 + 1000);
  });
});

describe('GET /.well-known/sitewide-revocations: cache misses are rate-limited per IP', () => {
  /** The public route with AUTH_RATE_LIMIT at 2 per minute, REVOCATION_POLL 5 s (the cache on). */
  async function feedRead(since: number, ip: string) {
    const app = createApp();
    return app.fetch(
      new Request(`${API}/.well-known/sitewide-revocations?since=${since}`, { headers: { 'cf-connecting-ip': ip } }),
      { ...env, AUTH_RATE_LIMIT: env.TIGHT_RATE_LIMIT },
      createExecutionContext(),
    );
  }

  it('made-up cursors: the third miss from one IP is 429 with Retry-After; a cached answer and another IP are not limited', async () => {
    const ip = '203.0.113.91';
    // Cursors ahead of the feed start over (the answer is the whole feed), but each is its own cache key.
    const statuses = [];
    for (const since of [900_000_001, 900_000_002, 900_000_003]) statuses.push(await feedRead(since, ip));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    const limited = statuses[2] as Response;
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(await codeOf(limited)).toBe('rate_limited');
    // The first cursor's answer is in the location's cache for 1 s: no budget spent, no feed call.
    expect((await feedRead(900_000_001, ip)).status).toBe(200);
    expect((await feedRead(900_000_004, '203.0.113.92')).status).toBe(200);
  });
});
