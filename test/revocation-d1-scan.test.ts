// Revocations written outside the Worker — `npm run admin` (SQL through wrangler), SQL in the
// dashboard — reach the revocation feed through its D1 scan (src/revocation/d1-scan.ts): the feed
// reads the partial indexes of revoked sessions, disabled users and deletion audit rows when it is
// polled, at most once per min(REVOCATION_POLL, 1 s). The CLI's own commands write them here
// (test/support/admin.ts: its statements, batch for batch, against this project's D1s).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Uuid } from '../scripts/admin/values';
import { dbFor } from '../src/db/client';
import { SCAN_OVERLAP_MS, scanQueries } from '../src/revocation/d1-scan';
import type { RevocationPage } from '../src/revocation/types';
import { admin } from './support/admin';
import { countingD1 } from './support/counting-d1';
import { rows, run } from './support/db';
import { codeOf } from './support/http';
import { apiWith, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';

const POLL_MS = 200;
/** One poll of the isolate, one scan of the feed (every POLL_MS here), and slack. */
const afterPollAndScan = () => new Promise((resolve) => setTimeout(resolve, 2 * POLL_MS + 100));

function isolate(db?: D1Database) {
  return apiWith({
    REVOCATION_POLL: String(POLL_MS / 1000),
    ...(db ? { DB: db } : {}),
  } as unknown as Partial<Record<keyof Env, string>>);
}

async function expectRevoked(res: Response) {
  expect({ status: res.status, code: await codeOf(res) }).toEqual({ status: 401, code: 'session_revoked' });
}

/** The whole feed, read through an isolate polling every POLL_MS (under 2 s: no location cache in the way). */
async function feedPage(): Promise<RevocationPage> {
  return (await (await isolate()('/.well-known/sitewide-revocations?since=0')).json()) as RevocationPage;
}

describe('revocations written to D1 outside the Worker reach the feed', () => {
  it('npm run admin -- sessions revoke: both sessions refused by another isolate after one poll, with zero D1 reads there', async () => {
    const a = isolate();
    const { db, counter } = countingD1(env.DB);
    const b = isolate(db);
    const phone = await signInTo(a, { sub: 'scan-sessions' });
    const laptop = await signInTo(a, { sub: 'scan-sessions' });
    expect((await b('/api/me', { jar: phone.jar })).status).toBe(200);

    const { userId } = sessionOf(phone.jar);
    // In the database that holds the user's sessions (SESSION_DBS).
    expect((await admin().exec({ name: 'sessions revoke', user: { id: userId as Uuid } })).code).toBe(0);
    expect(await rows('sessions', 'user_id = ? AND revoked_at IS NOT NULL', userId)).toHaveLength(2);
    await afterPollAndScan();
    counter.statements = 0;
    await expectRevoked(await b('/api/me', { jar: phone.jar }));
    await expectRevoked(await b('/api/me', { jar: laptop.jar }));
    expect(counter.statements).toBe(0);
  });

  it('npm run admin -- users disable: refused by another isolate after one poll', async () => {
    const a = isolate();
    const b = isolate();
    const { jar } = await signInTo(a, { sub: 'scan-disable' });
    expect((await b('/api/me', { jar })).status).toBe(200);
    const { userId } = sessionOf(jar);
    expect((await admin().exec({ name: 'users disable', user: { id: userId as Uuid } })).code).toBe(0);
    await afterPollAndScan();
    await expectRevoked(await b('/api/me', { jar }));
    const page = await feedPage();
    expect(page.users.filter((u) => u.id === userId)).toHaveLength(1);
  });

  it('npm run admin -- users delete: the deleted user is refused after one poll (found through the audit row)', async () => {
    const a = isolate();
    const b = isolate();
    const { jar } = await signInTo(a, { sub: 'scan-delete' });
    expect((await b('/api/me', { jar })).status).toBe(200);
    const { userId } = sessionOf(jar);
    expect((await admin().exec({ name: 'users delete', user: { id: userId as Uuid } })).code).toBe(0);
    await afterPollAndScan();
    await expectRevoked(await b('/api/me', { jar }));
  });

  it('a writer whose clock is 30 s behind is still found (each scan reads the last 60 s again); nothing is listed twice', async () => {
    const a = isolate();
    const b = isolate();
    const { jar } = await signInTo(a, { sub: 'scan-late-clock' });
    // Let a scan pass the moment first, so only the overlap can find the late row.
    await afterPollAndScan();
    expect((await b('/api/me', { jar })).status).toBe(200);
    await afterPollAndScan();
    const { sid } = sessionOf(jar);
    expect(SCAN_OVERLAP_MS).toBeGreaterThan(30_000);
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now() - 30_000, sid);
    await afterPollAndScan();
    await expectRevoked(await b('/api/me', { jar }));
    // Scanned again (and again) while in the overlap: the feed holds it once.
    await afterPollAndScan();
    await b('/api/me', { jar });
    await afterPollAndScan();
    expect((await feedPage()).sessions.filter((s) => s.id === sid)).toHaveLength(1);
  });

  it('a revocation the Worker recorded and the scan found again is listed once', async () => {
    const a = isolate();
    const phone = await signInTo(a, { sub: 'scan-dedupe' });
    const laptop = await signInTo(a, { sub: 'scan-dedupe' });
    const { sid } = sessionOf(phone.jar);
    const res = await a(`/api/sessions/${sid}/revoke`, {
      method: 'POST',
      jar: laptop.jar,
      headers: { origin: 'https://app.example.test' },
    });
    expect(res.status).toBe(200);
    await afterPollAndScan();
    await a('/api/me', { jar: laptop.jar });
    await afterPollAndScan();
    expect((await feedPage()).sessions.filter((s) => s.id === sid)).toHaveLength(1);
  });

  it('a revocation older than the retention is not brought back', async () => {
    const a = isolate();
    const { jar } = await signInTo(a, { sub: 'scan-old' });
    const { sid } = sessionOf(jar);
    await run('UPDATE sessions SET revoked_at = ? WHERE id = ?', Date.now() - 2 * 60 * 60_000, sid);
    await afterPollAndScan();
    await a('/api/me', { jar });
    expect((await feedPage()).sessions.map((s) => s.id)).not.toContain(sid);
  });
});

describe('the scan reads only its partial indexes', () => {
  it('each of the four reads is a range search on its own index (EXPLAIN QUERY PLAN through D1)', async () => {
    const from = Date.now() - 660_000;
    const queries = scanQueries(dbFor(env.DB), { sessions: from, disabled: from, deleted: from, clients: from });
    const plans: string[] = [];
    for (const query of queries) {
      const { sql, params } = query.toSQL();
      const explained = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<{ detail: string }>();
      plans.push(explained.results.map((row) => row.detail).join('; '));
    }
    expect(plans).toEqual([
      expect.stringMatching(/^SEARCH sessions USING INDEX sessions_revoked_at \(revoked_at>\?\)/),
      expect.stringMatching(/^SEARCH users USING INDEX users_disabled_at \(disabled_at>\?\)/),
      expect.stringMatching(/^SEARCH auth_events USING INDEX auth_events_deletions \(created_at>\?\)/),
      expect.stringMatching(
        /^SEARCH service_clients USING INDEX service_clients_tokens_revoked_before \(tokens_revoked_before>\?\)/,
      ),
    ]);
  });
});
