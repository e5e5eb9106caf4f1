// The RevocationFeed Durable Object on its own (src/revocation/feed.ts), on instances other than the
// product's `global` one: pages of FEED_PAGE entries, pruning past the retention, dedupe.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { FEED_PAGE } from '../src/revocation/feed';

function feedNamed(name: string) {
  return env.REVOCATION_FEED.get(env.REVOCATION_FEED.idFromName(name));
}

const RETENTION = 660;
/** At most one D1 read per instance in this file (its D1 holds no revocations: nothing comes from it). */
const NO_SCAN = 3_600_000;

describe('RevocationFeed storage', () => {
  it('pages: FEED_PAGE entries with more=true, then the rest; the cursor moves on', async () => {
    const feed = feedNamed('test-paging');
    const ids = Array.from({ length: 2 * FEED_PAGE + 500 }, (_, i) => `paging-${i}`);
    const head = await feed.record({ sessions: ids }, RETENTION);
    const first = await feed.since(0, RETENTION, NO_SCAN);
    expect({ n: first.sessions.length, more: first.more }).toEqual({ n: FEED_PAGE, more: true });
    const second = await feed.since(first.cursor, RETENTION, NO_SCAN);
    expect({ n: second.sessions.length, more: second.more }).toEqual({ n: FEED_PAGE, more: true });
    const third = await feed.since(second.cursor, RETENTION, NO_SCAN);
    expect({ n: third.sessions.length, more: third.more, cursor: third.cursor }).toEqual({
      n: 500,
      more: false,
      cursor: head,
    });
    const all = [...first.sessions, ...second.sessions, ...third.sessions].map((s) => s.id);
    expect(all).toEqual(ids);
  });

  it('keeps an entry for the retention only, and the cursor never goes back after pruning', async () => {
    const feed = feedNamed('test-pruning');
    const before = await feed.record({ sessions: ['old-session'], users: [{ id: 'old-user', before: 1 }] }, 1);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await feed.record({ sessions: ['new-session'] }, 1);
    expect(after).toBeGreaterThan(before);
    const page = await feed.since(0, 1, NO_SCAN);
    expect(page.sessions.map((s) => s.id)).toEqual(['new-session']);
    expect(page.users).toEqual([]);
    expect(page.cursor).toBe(after);
  });

  it('records an entry once: a session twice, a user again only with a later time', async () => {
    const feed = feedNamed('test-dedupe');
    await feed.record({ sessions: ['s1', 's1'], users: [{ id: 'u1', before: 100 }] }, RETENTION);
    await feed.record({ sessions: ['s1'], users: [{ id: 'u1', before: 90 }] }, RETENTION);
    await feed.record({ users: [{ id: 'u1', before: 120 }] }, RETENTION);
    const page = await feed.since(0, RETENTION, NO_SCAN);
    expect(page.sessions.map((s) => s.id)).toEqual(['s1']);
    expect(page.users).toEqual([
      { id: 'u1', before: 100 },
      { id: 'u1', before: 120 },
    ]);
  });
});
