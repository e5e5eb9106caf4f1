// npm run admin with SESSION_DBS: its commands (scripts/admin/commands.ts, the SQL it sends through
// wrangler) run here against the local D1s of the session-shards project, batch for batch.
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { execute } from '../scripts/admin/commands';
import type { Command } from '../scripts/admin/invocation';
import type { Rows } from '../scripts/admin/rows';
import type { SessionDbs } from '../scripts/admin/shards';
import { parseUuid, type Uuid } from '../scripts/admin/values';
import { createApp } from '../src/app';
import { sessionDbNameOf } from '../src/db/shard-of';
import { bindingOf, sessionDbNames } from './support/databases';
import { sessionOf, signIn } from './support/sign-in';
import { mint } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const NAMES = sessionDbNames();

function runner(db: D1Database) {
  return async (statements: string[]): Promise<Rows[]> =>
    (await db.batch(statements.map((s) => db.prepare(s)))).map((r) => (r.results ?? []) as Rows);
}

/** The admin over DB, counting the batches each database got. */
function admin() {
  const batches = new Map<string, number>();
  const counted = (name: string) => {
    const run = runner(bindingOf(name));
    return (statements: string[]) => {
      batches.set(name, (batches.get(name) ?? 0) + 1);
      return run(statements);
    };
  };
  const sessionDbs: SessionDbs = { names: NAMES, runIn: counted };
  const exec = (command: Command) =>
    execute(
      { command, json: true, by: null, wranglerFlags: [] },
      {
        run: counted('DB'),
        now: () => Date.now(),
        newId: () => parseUuid(crypto.randomUUID()) as Uuid,
        operator: () => null,
        sessionDbs,
      },
    );
  return { exec, batches };
}

/**
 * What the refresh (one read of the user's session database) says of an expired token. Without the
 * revocation feed: the feed reads D1 too and would refuse a disabled user first (401 session_revoked,
 * test/revocation-d1-scan.test.ts); here the copy the refresh reads is under test.
 */
const withoutFeed = { ...env, REVOCATION_FEED: undefined } as unknown as Env;

async function refresh(userId: string, sid: string) {
  const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * 60_000) });
  const res = await createApp().fetch(
    new Request(`${API}/api/me`, { headers: { cookie: `${SESSION_COOKIE}=${expired}` } }),
    withoutFeed,
    createExecutionContext(),
  );
  return { status: res.status, body: (await res.json()) as { roles?: string[]; error?: { code: string } } };
}

describe('npm run admin with SESSION_DBS writes where the refresh reads', () => {
  it('users disable / enable: DB, then the copy in the user’s session database; the refresh follows', async () => {
    const { userId, sid } = sessionOf((await signIn({ sub: 'google-sub-admin-shard-1' })).jar);
    const home = sessionDbNameOf(NAMES, userId);
    const { exec, batches } = admin();
    expect((await exec({ name: 'users disable', user: { id: userId as Uuid } })).code).toBe(0);
    expect([...batches.keys()].sort()).toEqual(['DB', home].sort());
    expect((await refresh(userId, sid)).body.error?.code).toBe('user_disabled');
    expect((await exec({ name: 'users enable', user: { id: userId as Uuid } })).code).toBe(0);
    expect((await refresh(userId, sid)).status).toBe(200);
  });

  it('roles grant / revoke reach the copy: the refreshed token carries the role, then not', async () => {
    const { userId, sid } = sessionOf((await signIn({ sub: 'google-sub-admin-shard-2' })).jar);
    const { exec } = admin();
    await exec({ name: 'roles grant', user: { id: userId as Uuid }, role: 'admin' as never });
    expect((await refresh(userId, sid)).body.roles).toEqual(['admin']);
    await exec({ name: 'roles revoke', user: { id: userId as Uuid }, role: 'admin' as never });
    expect((await refresh(userId, sid)).body.roles).toEqual([]);
  });

  it('sessions revoke runs in the user’s session database (one), with its audit row there', async () => {
    const { userId, sid } = sessionOf((await signIn({ sub: 'google-sub-admin-shard-3' })).jar);
    const home = sessionDbNameOf(NAMES, userId);
    const { exec, batches } = admin();
    const out = await exec({ name: 'sessions revoke', user: { id: userId as Uuid } });
    expect(JSON.parse(out.stdout)).toMatchObject({ changed: true, revokedSessions: [sid] });
    expect(batches.get(home)).toBe(1);
    expect((await refresh(userId, sid)).body.error?.code).toBe('session_revoked');
    const audit = await bindingOf(home)
      .prepare("SELECT count(*) AS n FROM auth_events WHERE user_id = ? AND kind = 'admin_sessions_revoked'")
      .bind(userId)
      .first<{ n: number }>();
    expect(audit?.n).toBe(1);
  });

  it('users show and users list count the sessions where they are; users delete removes the copy and them', async () => {
    const { userId, sid } = sessionOf(
      (await signIn({ sub: 'google-sub-admin-shard-4', email: 'four@example.test' })).jar,
    );
    const home = sessionDbNameOf(NAMES, userId);
    const { exec } = admin();
    const shown = JSON.parse((await exec({ name: 'users show', user: { id: userId as Uuid } })).stdout);
    expect(shown.sessions.map((s: { id: string }) => s.id)).toEqual([sid]);
    const listed = JSON.parse((await exec({ name: 'users list', role: null, disabled: false })).stdout);
    expect(listed.find((u: { id: string }) => u.id === userId).liveSessions).toBe(1);
    const deleted = JSON.parse((await exec({ name: 'users delete', user: { id: userId as Uuid } })).stdout);
    expect(deleted.removed.sessions).toBe(1);
    for (const table of ['users', 'sessions']) {
      const column = table === 'users' ? 'id' : 'user_id';
      const left = await bindingOf(home)
        .prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`)
        .bind(userId)
        .first<{ n: number }>();
      expect(left?.n).toBe(0);
    }
    expect((await refresh(userId, sid)).body.error?.code).toBe('user_not_found');
  });
});
