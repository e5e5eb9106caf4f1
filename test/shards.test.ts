// Sessions split across session databases (SESSION_DBS, the session-shards project: 4 local D1s).
import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { parseSessionDbs } from '../src/config/session-dbs';
import { createDb, dbFor } from '../src/db/client';
import { sessionDatabaseOf, sessionDatabases } from '../src/db/session-databases';
import { sessionDbNameOf, shardOf } from '../src/db/shard-of';
import { recordSignIn } from '../src/users/sign-in/record-sign-in';
import { setCookies } from './support/cookies';
import { countingD1, type D1Counter } from './support/counting-d1';
import { bindingOf, sessionDbNames } from './support/databases';
import { FROM_APP } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { mint } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const NAMES = sessionDbNames();
const MINUTE = 60_000;

describe('shardOf: which session database holds a user', () => {
  it('is pure and stable: pinned values (a change here moves every user: docs/database.md "Changing the list moves users")', () => {
    const pinned: Array<[string, number[]]> = [
      ['00000000-0000-4000-8000-000000000000', [0, 0, 3, 3, 15, 64]],
      ['11111111-1111-4111-8111-111111111111', [0, 0, 3, 7, 7, 92]],
      ['c0ffee00-0000-4000-8000-00000000beef', [1, 1, 1, 1, 14, 14]],
    ];
    for (const [id, expected] of pinned) expect([2, 3, 4, 8, 16, 100].map((n) => shardOf(id, n))).toEqual(expected);
    expect(shardOf('anyone', 1)).toBe(0);
    expect(() => shardOf('x', 0)).toThrow(TypeError);
  });

  it('spreads users evenly, and growing 4 -> 5 databases moves only a fifth of them, all to the new one', () => {
    const ids = Array.from({ length: 4000 }, () => crypto.randomUUID());
    const counts = [0, 0, 0, 0];
    for (const id of ids) counts[shardOf(id, 4)] = (counts[shardOf(id, 4)] ?? 0) + 1;
    for (const count of counts) expect(count).toBeGreaterThan(850);
    const moved = ids.filter((id) => shardOf(id, 5) !== shardOf(id, 4));
    expect(moved.length / ids.length).toBeGreaterThan(0.15);
    expect(moved.length / ids.length).toBeLessThan(0.25);
    expect(moved.every((id) => shardOf(id, 5) === 4)).toBe(true);
  });
});

describe('SESSION_DBS', () => {
  const d1 = { prepare() {} };
  it('accepts a JSON array, a TOML array (bound as an array) or a comma list; unset or empty: DB alone', () => {
    const bound = { A: d1, B: d1, DB: d1 };
    expect(parseSessionDbs({ ...bound, SESSION_DBS: '["A","B"]' })).toEqual({ ok: true, names: ['A', 'B'] });
    expect(parseSessionDbs({ ...bound, SESSION_DBS: ['DB', 'A'] })).toEqual({ ok: true, names: ['DB', 'A'] });
    expect(parseSessionDbs({ ...bound, SESSION_DBS: ' A , B ' })).toEqual({ ok: true, names: ['A', 'B'] });
    expect(parseSessionDbs(bound)).toEqual({ ok: true, names: [] });
    expect(parseSessionDbs({ ...bound, SESSION_DBS: ' ' })).toEqual({ ok: true, names: [] });
  });

  const bad: Array<[string, unknown, string]> = [
    ['a name that is not bound', '["SESSIONS_0","SESSIONS_9"]', "names 'SESSIONS_9', which is not a D1 binding"],
    ['a duplicate', 'SESSIONS_0,SESSIONS_1,SESSIONS_0', "names 'SESSIONS_0' twice"],
    ['not JSON', '["SESSIONS_0"', 'is not valid JSON'],
    ['a binding that is not D1', '["AUTH_RATE_LIMIT"]', "names 'AUTH_RATE_LIMIT', which is not a D1 binding"],
    ['not a name', '["SESSIONS 0"]', 'must list D1 binding names'],
    ['an empty array', '[]', 'must list D1 binding names'],
  ];
  for (const [what, value, message] of bad) {
    it(`${what}: every request answers 500 misconfigured`, async () => {
      const res = await createApp().fetch(
        new Request(`${API}/api/me`),
        { ...env, SESSION_DBS: value } as Env,
        createExecutionContext(),
      );
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('misconfigured');
      expect(body.error.message).toContain(message);
    });
  }
});

/** Every database wrapped with its own counter: which databases a request touched. */
function perDatabase() {
  const counters = new Map<string, D1Counter>();
  const wrapped: Record<string, unknown> = { ...env };
  for (const name of ['DB', ...NAMES]) {
    const { db, counter } = countingD1(bindingOf(name));
    wrapped[name] = db;
    counters.set(name, counter);
  }
  const touched = () => [...counters].filter(([, c]) => c.statements > 0).map(([name]) => name);
  return { env: wrapped as unknown as Env, touched };
}

async function fetchCounted(path: string, init: RequestInit = {}) {
  const { env: countedEnv, touched } = perDatabase();
  const res = await createApp().fetch(new Request(`${API}${path}`, init), countedEnv, createExecutionContext());
  return { res, touched: touched() };
}

async function sessionRowsIn(name: string, userId: string) {
  return (
    await bindingOf(name).prepare('SELECT id FROM sessions WHERE user_id = ?').bind(userId).all<{ id: string }>()
  ).results.map((r) => r.id);
}

describe('where rows land', () => {
  it('each session row, and the copy of its user, is in the database the hash of the user id names, and nowhere else', async () => {
    expect(NAMES).toHaveLength(4);
    const users = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => sessionOf((await signIn({ sub: `google-sub-shard-${i}` })).jar)),
    );
    const used = new Set<string>();
    for (const { userId, sid } of users) {
      const home = sessionDbNameOf(NAMES, userId);
      used.add(home);
      expect(home).toBe(NAMES[shardOf(userId, 4)]);
      for (const name of ['DB', ...NAMES])
        expect(await sessionRowsIn(name, userId)).toEqual(name === home ? [sid] : []);
      const copy = await bindingOf(home).prepare('SELECT id FROM users WHERE id = ?').bind(userId).all();
      expect(copy.results).toHaveLength(1);
    }
    // 12 users over 4 databases: more than one in use (the chance of all in one is 4 * 4^-12).
    expect(used.size).toBeGreaterThan(1);
  });
});

describe('per-user operations touch the user’s session database only', () => {
  async function signedIn(sub: string) {
    const { jar } = await signIn({ sub, email: `${sub}@example.test`, name: sub });
    const { userId, sid } = sessionOf(jar);
    return {
      jar,
      userId,
      sid,
      home: sessionDbNameOf(NAMES, userId),
      cookie: `${SESSION_COOKIE}=${jar.get(SESSION_COOKIE)}`,
    };
  }

  it('a refresh: one database, one SELECT', async () => {
    const s = await signedIn('google-sub-one-shard-refresh');
    const expired = await mint({ sub: s.userId, sid: s.sid, now: new Date(Date.now() - 11 * MINUTE) });
    const { res, touched } = await fetchCounted('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${expired}` } });
    expect(res.status).toBe(200);
    expect(touched).toEqual([s.home]);
  });

  it('GET /api/sessions, revoking one, revoke-all: the session database; export and deletion: DB and it', async () => {
    const s = await signedIn('google-sub-one-shard-ops');
    const other = sessionOf((await signIn({ sub: 'google-sub-one-shard-ops' })).jar);
    const headers = { cookie: s.cookie, ...FROM_APP };
    const list = await fetchCounted('/api/sessions', { headers });
    expect(list.res.status).toBe(200);
    expect(list.touched).toEqual([s.home]);
    const revoke = await fetchCounted(`/api/sessions/${other.sid}/revoke`, { method: 'POST', headers });
    expect(revoke.res.status).toBe(200);
    expect(revoke.touched).toEqual([s.home]);
    const exported = await fetchCounted('/api/me/export', { headers });
    expect(exported.res.status).toBe(200);
    expect(exported.touched).toEqual(['DB', s.home]);
    const body = (await exported.res.json()) as { sessions: Array<{ id: string }>; events: Array<{ kind: string }> };
    expect(body.sessions.map((x) => x.id).sort()).toEqual([s.sid, other.sid].sort());
    // Events of both databases, merged: the sign-ins (DB) and the revocation (the session database).
    expect(body.events.map((e) => e.kind)).toEqual(['sign_in', 'sign_in', 'session_revoked']);
    const all = await fetchCounted('/api/sessions/revoke-all', { method: 'POST', headers });
    expect(all.res.status).toBe(200);
    expect(all.touched).toEqual([s.home]);
  });

  it('DELETE /api/me: the originals in DB and the copy (with the sessions) in the session database', async () => {
    const s = await signedIn('google-sub-one-shard-delete');
    const { res, touched } = await fetchCounted('/api/me', {
      method: 'DELETE',
      headers: { cookie: s.cookie, ...FROM_APP },
    });
    expect(res.status).toBe(204);
    expect(touched).toEqual(['DB', s.home]);
    for (const name of ['DB', s.home]) {
      expect((await bindingOf(name).prepare('SELECT id FROM users WHERE id = ?').bind(s.userId).all()).results).toEqual(
        [],
      );
    }
    expect(await sessionRowsIn(s.home, s.userId)).toEqual([]);
    const deletions = await env.DB.prepare("SELECT id FROM auth_events WHERE user_id = ? AND kind = 'account_deleted'")
      .bind(s.userId)
      .all();
    expect(deletions.results).toHaveLength(1);
  });
});

describe('a change to the user reaches the copy', () => {
  it('a sign-in with a new name: the copy holds it, and the refresh of an older session signs it', async () => {
    const first = sessionOf((await signIn({ sub: 'google-sub-copy-name', name: 'Before' })).jar);
    await signIn({ sub: 'google-sub-copy-name', name: 'After' });
    const home = sessionDbNameOf(NAMES, first.userId);
    const copy = await bindingOf(home).prepare('SELECT name FROM users WHERE id = ?').bind(first.userId).first();
    expect(copy).toEqual({ name: 'After' });
    const expired = await mint({ sub: first.userId, sid: first.sid, now: new Date(Date.now() - 11 * MINUTE) });
    const res = await createApp().fetch(
      new Request(`${API}/api/me`, { headers: { cookie: `${SESSION_COOKIE}=${expired}` } }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    const renewed = setCookies(res).find((c) => c.name === SESSION_COOKIE);
    expect(decodeJwt(renewed?.value ?? '').name).toBe('After');
  });

  it('a copy that says disabled refuses the refresh (403 user_disabled), as DB would', async () => {
    const s = sessionOf((await signIn({ sub: 'google-sub-copy-disabled' })).jar);
    const home = sessionDbNameOf(NAMES, s.userId);
    await bindingOf(home).prepare('UPDATE users SET disabled_at = ? WHERE id = ?').bind(Date.now(), s.userId).run();
    const expired = await mint({ sub: s.userId, sid: s.sid, now: new Date(Date.now() - 11 * MINUTE) });
    const res = await createApp().fetch(
      new Request(`${API}/api/me`, { headers: { cookie: `${SESSION_COOKIE}=${expired}` } }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('user_disabled');
  });
});

describe('sessionDatabases(env): what the revocation feed scans', () => {
  it('DB first, then each session database once; sessionDatabaseOf agrees with the hash', () => {
    expect(sessionDatabases(env)).toEqual([env.DB, ...NAMES.map(bindingOf)]);
    expect(sessionDatabases({ ...env, SESSION_DBS: '["DB","SESSIONS_1"]' } as Env)).toEqual([
      env.DB,
      bindingOf('SESSIONS_1'),
    ]);
    expect(sessionDatabases({ ...env, SESSION_DBS: undefined } as unknown as Env)).toEqual([env.DB]);
    expect(() => sessionDatabases({ ...env, SESSION_DBS: '["NOPE"]' } as Env)).toThrow(/SESSION_DBS names 'NOPE'/);
    const id = crypto.randomUUID();
    expect(sessionDatabaseOf(env, id)).toBe(bindingOf(sessionDbNameOf(NAMES, id)));
  });
});

describe('sign-in against a change made between its two batches', () => {
  it('a disabling in DB after the DB batch, before the session batch, still reaches the copy (the re-check)', async () => {
    const first = sessionOf((await signIn({ sub: 'google-sub-race' })).jar);
    const home = sessionDbNameOf(NAMES, first.userId);
    const homeDb = bindingOf(home);
    // The session database's first batch is preceded by an operator's disabling in DB (whose own
    // copy would have run before this sign-in's session row existed).
    let raced = false;
    const racing = new Proxy(homeDb, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === 'batch' && !raced) {
          return async (statements: D1PreparedStatement[]) => {
            raced = true;
            await env.DB.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').bind(Date.now(), first.userId).run();
            return target.batch(statements);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const sid = crypto.randomUUID();
    const result = await recordSignIn(
      dbFor(env.DB),
      {
        provider: 'google',
        providerAccountId: 'google-sub-race',
        email: null,
        emailVerified: false,
        hostedDomain: null,
        name: null,
        image: null,
      },
      { id: sid, meta: { ip: null, userAgent: null }, now: new Date(), maxAge: 3600 },
      () => createDb(racing),
    );
    expect(raced).toBe(true);
    expect(result.kind).toBe('signed_in');
    const copy = await homeDb
      .prepare('SELECT disabled_at FROM users WHERE id = ?')
      .bind(first.userId)
      .first<{ disabled_at: number | null }>();
    expect(copy?.disabled_at).not.toBeNull();
    const expired = await mint({ sub: first.userId, sid, now: new Date(Date.now() - 11 * MINUTE) });
    const res = await createApp().fetch(
      new Request(`${API}/api/me`, { headers: { cookie: `${SESSION_COOKIE}=${expired}` } }),
      env,
      createExecutionContext(),
    );
    expect(res.status).toBe(403);
  });
});

describe('SESSION_DBS listing DB itself', () => {
  it('a user whose session database is DB: its rows are the originals, the sign-in writes no copy over them', async () => {
    const { userId } = sessionOf((await signIn({ sub: 'google-sub-db-home' })).jar);
    // A role granted between the sign-in's two batches must survive (a copy written over DB would drop it).
    let batches = 0;
    const racing = new Proxy(env.DB, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === 'batch') {
          return async (statements: D1PreparedStatement[]) => {
            if (++batches === 2) {
              await target
                .prepare('INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)')
                .bind(userId, 'admin', Date.now())
                .run();
            }
            return target.batch(statements);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const db = createDb(racing);
    const result = await recordSignIn(
      db,
      {
        provider: 'google',
        providerAccountId: 'google-sub-db-home',
        email: null,
        emailVerified: false,
        hostedDomain: null,
        name: null,
        image: null,
      },
      { id: crypto.randomUUID(), meta: { ip: null, userAgent: null }, now: new Date(), maxAge: 3600 },
      () => db,
    );
    expect(result.kind).toBe('signed_in');
    expect(batches).toBe(2);
    const roles = await env.DB.prepare('SELECT role FROM user_roles WHERE user_id = ?').bind(userId).all();
    expect(roles.results).toEqual([{ role: 'admin' }]);
  });
});
