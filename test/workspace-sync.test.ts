// The Workspace link's offboarding (src/workspace): the Cron Trigger handler, run in workerd against
// the Directory stand-in, disables suspended and deleted Workspace accounts in D1 and writes them to
// the revocation feed, so another isolate refuses their sessions within REVOCATION_POLL; a re-enabled
// account comes back; an operator's disable stays. Each `apiWith(...)` is one isolate (see
// test/revocation-feed.test.ts).
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { GoogleIdentity } from '../scripts/google-identity';
import type { CookieJar } from './support/cookies';
import { rows, run } from './support/db';
import { googleTenant, runCron } from './support/google';
import { codeOf } from './support/http';
import { apiWith, locationOf, signInTo } from './support/policy';

const POLL = '0.2';
const afterOnePoll = () => new Promise((resolve) => setTimeout(resolve, 250));
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

/** An isolate polling the feed every 0.2 s; without the feed at all when `feed` is false (D1 decides alone). */
const isolate = (vars: Record<string, string> = {}, feed = true) =>
  apiWith({ REVOCATION_POLL: POLL, ...vars, ...(feed ? {} : { REVOCATION_FEED: undefined }) } as Partial<
    Record<keyof Env, string>
  >);

const identity = (sub: string, email: string, hd?: string): Partial<GoogleIdentity> & { sub: string } => ({
  sub,
  email,
  ...(hd ? { hd } : {}),
});

async function signedIn(fetcher: ReturnType<typeof isolate>, who: ReturnType<typeof identity>): Promise<CookieJar> {
  const { jar, callback } = await signInTo(fetcher, who);
  expect(callback.status).toBe(302);
  expect(locationOf(callback).pathname).not.toBe('/auth/error');
  return jar;
}

const refresh = (fetcher: ReturnType<typeof isolate>, jar: CookieJar) =>
  fetcher('/auth/refresh', { method: 'POST', jar });

async function userRow(sub: string) {
  const [row] = await rows<{ id: string; disabled_at: number | null; disabled_source: string | null }>(
    'users',
    "id = (SELECT user_id FROM accounts WHERE provider = 'google' AND provider_account_id = ?)",
    sub,
  );
  if (!row) throw new Error(`no user for ${sub}`);
  return row;
}

describe('Workspace offboarding (the Cron Trigger)', () => {
  it('a suspended account is refused at another isolate within REVOCATION_POLL; re-enabled, it comes back', async () => {
    const google = await googleTenant({
      domain: 'offboard.test',
      users: [{ id: 'ws-ada', primaryEmail: 'ada@offboard.test' }],
    });
    const a = isolate(google.vars);
    const b = isolate();
    const jar = await signedIn(a, identity('ws-ada', 'ada@offboard.test', 'offboard.test'));
    expect((await b('/api/me', { jar })).status).toBe(200);

    google.state.users[1] = { id: 'ws-ada', primaryEmail: 'ada@offboard.test', suspended: true };
    await google.save();
    await runCron(google.vars);
    const row = await userRow('ws-ada');
    expect(row.disabled_source).toBe('workspace');
    expect(row.disabled_at).toEqual(expect.any(Number));
    expect(await rows('auth_events', "user_id = ? AND kind = 'workspace_user_disabled'", row.id)).toMatchObject([
      { detail: 'suspended' },
    ]);

    await afterOnePoll();
    const refused = await b('/api/me', { jar });
    expect({ status: refused.status, code: await codeOf(refused) }).toEqual({ status: 401, code: 'session_revoked' });
    // Where the feed is not polled, the refresh reads D1: the disable itself.
    const viaD1 = await refresh(isolate({}, false), jar);
    expect({ status: viaD1.status, code: await codeOf(viaD1) }).toEqual({ status: 403, code: 'user_disabled' });

    // Active again in Google: the next run lifts its own disable.
    google.state.users[1] = { id: 'ws-ada', primaryEmail: 'ada@offboard.test' };
    await google.save();
    await runCron(google.vars);
    expect(await userRow('ws-ada')).toMatchObject({ disabled_at: null, disabled_source: null });
    expect(await rows('auth_events', "user_id = ? AND kind = 'workspace_user_enabled'", row.id)).toHaveLength(1);
    expect((await refresh(isolate({}, false), jar)).status).toBe(200);
    await nextSecond();
    const again = await signedIn(a, identity('ws-ada', 'ada@offboard.test', 'offboard.test'));
    await afterOnePoll();
    expect((await b('/api/me', { jar: again })).status).toBe(200);
  });

  it("an operator's disable stays, whatever Google says; only Workspace disables are lifted", async () => {
    const google = await googleTenant({
      domain: 'manual.test',
      users: [
        { id: 'ws-op', primaryEmail: 'op@manual.test' },
        { id: 'ws-sql', primaryEmail: 'sql@manual.test' },
      ],
    });
    const a = isolate(google.vars);
    await signedIn(a, identity('ws-op', 'op@manual.test', 'manual.test'));
    await signedIn(a, identity('ws-sql', 'sql@manual.test', 'manual.test'));
    const op = await userRow('ws-op');
    const bySql = await userRow('ws-sql');
    await run("UPDATE users SET disabled_at = ?, disabled_source = 'admin' WHERE id = ?", Date.now(), op.id);
    await run('UPDATE users SET disabled_at = ? WHERE id = ?', Date.now(), bySql.id);
    await runCron(google.vars);
    expect(await userRow('ws-op')).toMatchObject({ disabled_at: expect.any(Number), disabled_source: 'admin' });
    expect(await userRow('ws-sql')).toMatchObject({ disabled_at: expect.any(Number), disabled_source: null });
  });

  it('a deleted account is disabled; accounts outside GOOGLE_WORKSPACE_DOMAIN are never touched', async () => {
    const google = await googleTenant({
      domain: 'deleted.test',
      users: [{ id: 'ws-gone', primaryEmail: 'gone@deleted.test' }],
    });
    const a = isolate(google.vars);
    await signedIn(a, identity('ws-gone', 'gone@deleted.test', 'deleted.test'));
    // Not in this Directory: a consumer account and another organisation's.
    await signedIn(a, identity('ws-consumer', 'someone@gmail.com'));
    await signedIn(a, identity('ws-other', 'eve@other-org.test', 'other-org.test'));
    google.state.users[1] = { id: 'ws-gone', primaryEmail: 'gone@deleted.test', deleted: true };
    await google.save();
    await runCron(google.vars);
    const gone = await userRow('ws-gone');
    expect(gone.disabled_source).toBe('workspace');
    expect(await rows('auth_events', "user_id = ? AND kind = 'workspace_user_disabled'", gone.id)).toMatchObject([
      { detail: 'deleted' },
    ]);
    expect(await userRow('ws-consumer')).toMatchObject({ disabled_at: null });
    expect(await userRow('ws-other')).toMatchObject({ disabled_at: null });
  });

  it('reads every page of users.list (500 a page) before it decides', async () => {
    const many = Array.from({ length: 520 }, (_, i) => ({ id: `ws-many-${i}`, primaryEmail: `u${i}@pages.test` }));
    const google = await googleTenant({ domain: 'pages.test', users: many });
    const a = isolate(google.vars);
    await signedIn(a, identity('ws-many-519', 'u519@pages.test', 'pages.test'));
    await signedIn(a, identity('ws-many-3', 'u3@pages.test', 'pages.test'));
    google.state.users = google.state.users.map((u) => (u.id === 'ws-many-3' ? { ...u, suspended: true } : u));
    await google.save();
    await runCron(google.vars);
    expect((await userRow('ws-many-3')).disabled_source).toBe('workspace');
    // The last page's user is not taken for deleted: the listing was read to its end.
    expect((await userRow('ws-many-519')).disabled_at).toBeNull();
    const listed = (await google.requests()).filter((r) => r.startsWith('GET /admin/directory/v1/users?'));
    expect(listed.slice(-2)).toEqual([
      expect.stringContaining('customer=my_customer&maxResults=500'),
      expect.stringMatching(/customer=my_customer&maxResults=500.*&pageToken=\w+/),
    ]);
  });

  it('without the link configured, the Cron Trigger does nothing', async () => {
    const before = await rows('auth_events', "kind LIKE 'workspace_%'");
    await runCron({});
    expect(await rows('auth_events', "kind LIKE 'workspace_%'")).toEqual(before);
    expect(env.GOOGLE_WORKSPACE_ADMIN ?? '').toBe('');
  });
});
