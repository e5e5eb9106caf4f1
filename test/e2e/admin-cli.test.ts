/**
 * `npm run admin` (scripts/admin.ts), two ways:
 *  - its statements (scripts/admin: drizzle, inlined) run one by one against an in-memory
 *    SQLite with the real migrations (node:sqlite: no wrangler, milliseconds), and its
 *    argument parsing: validation, quoting, conditional audit rows, cascades;
 *  - the CLI as an operator runs it: `npm run admin -- … --persist-to DIR` against a
 *    throwaway local D1 that `wrangler d1 migrations apply` created and `wrangler d1
 *    execute` seeded. Exit codes, tables and JSON are asserted on its output, and the
 *    rows (audit rows included) by reading that D1's SQLite file afterwards (each
 *    `wrangler d1 execute` costs ~1.5 s of CPU; a read of the file costs nothing).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDuplicates, relinkAccount } from '../../scripts/admin/addresses.ts';
import { parseCommandLine } from '../../scripts/admin/args.ts';
import { disableUser, enableUser, grantRole, revokeRole, revokeSessions } from '../../scripts/admin/changes.ts';
import { deleteUser } from '../../scripts/admin/delete-user.ts';
import { formatTable } from '../../scripts/admin/format.ts';
import { literal } from '../../scripts/admin/inline.ts';
import { addInvite, removeInvite } from '../../scripts/admin/invites.ts';
import { listUsers, showUser } from '../../scripts/admin/reads.ts';
import type { Batch, ChangeContext, Rows } from '../../scripts/admin/rows.ts';
import {
  type Actor,
  type Email,
  parseActor,
  parseEmail,
  parseRole,
  parseSubject,
  parseUserRef,
  parseUuid,
  type Role,
  type Subject,
  type UserRef,
  type Uuid,
} from '../../scripts/admin/values.ts';
import { joinStatements } from '../../scripts/admin/wrangler.ts';
import { readLocalD1, runAdmin } from './admin-run.ts';
import { childEnv } from './child-env.ts';
import { migratedDatabase } from './memory-d1.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');

const NOW = Date.now();
const DAY = 86_400_000;
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const TWIN_1 = '33333333-3333-4333-8333-333333333333';
const TWIN_2 = '44444444-4444-4444-8444-444444444444';

/** Alice (mixed-case email): one account, sessions live ×2, revoked, expired; two events with ip and user agent.
 * Bob: role admin, one live session. Two users share twin@example.com. */
const SEED = [
  `INSERT INTO users (id, email, email_verified, name, created_at, updated_at) VALUES
    ('${ALICE}', 'Alice@Example.com', 1, 'Alice', ${NOW - 3 * DAY}, ${NOW - 3 * DAY}),
    ('${BOB}', 'bob@example.com', 1, 'Bob', ${NOW - 2 * DAY}, ${NOW - 2 * DAY}),
    ('${TWIN_1}', 'twin@example.com', 1, 'Twin One', ${NOW - DAY}, ${NOW - DAY}),
    ('${TWIN_2}', 'Twin@example.com', 1, 'Twin Two', ${NOW - DAY + 1}, ${NOW - DAY + 1})`,
  `INSERT INTO accounts (provider, provider_account_id, user_id, created_at) VALUES
    ('google', 'sub-alice', '${ALICE}', ${NOW - 3 * DAY}), ('google', 'sub-bob', '${BOB}', ${NOW - 2 * DAY})`,
  `INSERT INTO sessions (id, user_id, created_at, last_seen_at, expires_at, revoked_at, user_agent) VALUES
    ('s-alice-live-1', '${ALICE}', ${NOW - DAY}, ${NOW - 60_000}, ${NOW + 29 * DAY}, NULL, 'Firefox/140'),
    ('s-alice-live-2', '${ALICE}', ${NOW - DAY}, ${NOW - 120_000}, ${NOW + 29 * DAY}, NULL, 'Chrome/150'),
    ('s-alice-revoked', '${ALICE}', ${NOW - 2 * DAY}, ${NOW - 2 * DAY}, ${NOW + 28 * DAY}, ${NOW - DAY}, 'Safari/26'),
    ('s-alice-expired', '${ALICE}', ${NOW - 40 * DAY}, ${NOW - 31 * DAY}, ${NOW - DAY}, NULL, 'Edge/140'),
    ('s-bob', '${BOB}', ${NOW - DAY}, ${NOW - DAY}, ${NOW + 29 * DAY}, NULL, 'Firefox/140')`,
  `INSERT INTO user_roles (user_id, role, granted_at, granted_by) VALUES ('${BOB}', 'admin', ${NOW - DAY}, 'seed')`,
  `INSERT INTO auth_events (id, user_id, session_id, kind, detail, created_at, ip, user_agent) VALUES
    ('e-alice-1', '${ALICE}', 's-alice-live-1', 'sign_in', NULL, ${NOW - DAY}, '203.0.113.7', 'Firefox/140'),
    ('e-alice-2', '${ALICE}', 's-alice-revoked', 'session_revoked', NULL, ${NOW - DAY}, '203.0.113.8', 'Safari/26'),
    ('e-bob-1', '${BOB}', 's-bob', 'sign_in', NULL, ${NOW - DAY}, '198.51.100.1', 'Firefox/140')`,
];

interface EventRow {
  id: string;
  user_id: string | null;
  kind: string;
  detail: string | null;
  ip: string | null;
  user_agent: string | null;
}

// --- The SQL, against an in-memory SQLite with the migrations ---

function memoryD1(): DatabaseSync {
  const db = migratedDatabase();
  for (const statement of SEED) db.exec(statement);
  return db;
}

/** Runs a batch's statements in order on one connection (as D1 does), and reads the results. */
function runBatch<T>(db: DatabaseSync, batch: Batch<T>): T {
  const results: Rows[] = batch.statements.map((sql) => db.prepare(sql).all() as Rows);
  return batch.read(results);
}

const actor = (name: string) => parseActor(name) as Actor;
let ids = 0;
const context = (by: string | null = 'ops@example.com'): ChangeContext => ({
  now: NOW + ++ids,
  auditId: parseUuid(`00000000-0000-4000-8000-${String(ids).padStart(12, '0')}`) as Uuid,
  by: by === null ? null : actor(by),
});
const ref = (text: string) => parseUserRef(text) as UserRef;

describe('admin SQL and arguments (node:sqlite, no wrangler)', () => {
  it('validates emails, roles, ids and names conservatively; emails are lower-cased', () => {
    expect(parseEmail('Alice@Example.COM')).toBe('alice@example.com');
    expect(parseEmail('a.b+tag@sub.example.co.uk')).toBe('a.b+tag@sub.example.co.uk');
    for (const bad of [
      "o'neil@example.com",
      "x'; DROP TABLE users; --@example.com",
      'a;b@example.com',
      'a b@example.com',
      'alice@localhost',
      'alice@-example.com',
      'élodie@example.com',
      'alice@example.com\n',
      `${'a'.repeat(65)}@example.com`,
      '',
    ]) {
      expect(parseEmail(bad), bad).toBeNull();
    }
    expect(parseRole('admin')).toBe('admin');
    expect(parseRole('billing:read')).toBe('billing:read');
    for (const bad of ['Admin', "admin'", 'admin;', 'ad min', '1admin', '', 'a'.repeat(65)]) {
      expect(parseRole(bad), bad).toBeNull();
    }
    expect(parseUuid(ALICE.toUpperCase())).toBe(ALICE);
    expect(parseUuid(`${ALICE}'`)).toBeNull();
    expect(parseActor('Ops Team')).toBe('Ops Team');
    expect(parseActor('ops@example.com')).toBe('ops@example.com');
    for (const bad of ["O'Brien", 'a;b', ' lead', 'x\ny', '']) expect(parseActor(bad), bad).toBeNull();
    expect(parseUserRef('ALICE@example.com')).toEqual({ email: 'alice@example.com' });
    expect(parseUserRef(ALICE)).toEqual({ id: ALICE });
    expect(parseUserRef('alice')).toBeNull();
  });

  it('quotes strictly and refuses statements that wrangler would split', () => {
    // Unreachable through the parse… functions, but the quoting holds on its own (inline.ts).
    expect(literal("o'neil")).toBe("'o''neil'");
    expect(literal('a;b')).toBe("CAST(X'613b62' AS TEXT)");
    expect(joinStatements(['SELECT 1', 'SELECT 2'])).toBe('SELECT 1;\nSELECT 2');
    expect(() => joinStatements(["SELECT ';'"])).toThrow();
    const batch = grantRole(ref('Alice@Example.com'), parseRole('admin') as Role, context());
    expect(batch.statements.join('\n')).toContain(`lower("users"."email") = 'alice@example.com'`);
    expect(batch.statements.join('\n')).not.toContain('Alice');
  });

  it('parses the command line: commands, arguments, options, wrangler flags; usage errors otherwise', () => {
    const run = (line: string) => parseCommandLine(line.split(' ').filter(Boolean));
    expect(run('users list --role admin --disabled --json')).toEqual({
      kind: 'run',
      invocation: {
        command: { name: 'users list', role: 'admin', disabled: true },
        json: true,
        by: null,
        wranglerFlags: ['--local'],
      },
    });
    expect(run('roles grant Bob@Example.com admin --by ops --env production --remote')).toEqual({
      kind: 'run',
      invocation: {
        command: { name: 'roles grant', user: { email: 'bob@example.com' }, role: 'admin' },
        json: false,
        by: 'ops',
        wranglerFlags: ['--env', 'production', '--remote'],
      },
    });
    expect(run('invites list --persist-to /tmp/x')).toMatchObject({
      invocation: { wranglerFlags: ['--local', '--persist-to', '/tmp/x'] },
    });
    expect(run('--help')).toEqual({ kind: 'help' });
    const usage = (line: string, error: RegExp) => expect(run(line)).toMatchObject({ kind: 'usage', error });
    usage('', /no command/);
    usage('users', /unknown command 'users'/);
    usage('users frobnicate x@example.com', /unknown command/);
    usage('roles grant alice@example.com', /takes 2 argument/);
    usage('users show a@example.com b@example.com', /takes 1 argument/);
    usage('users show alice', /not an email address or user id/);
    usage('roles grant alice@example.com Admin', /not a role name/);
    usage('users list --role', /argument missing/);
    usage('users show alice@example.com --role admin', /--role does not apply/);
    usage('users list --by ops', /--by does not apply/);
    usage('users disable alice@example.com --by O;Brien', /--by: not a name/);
    usage('users list --frobnicate', /Unknown option/);
    usage('users list --remote --local', /exclude each other/);
    usage('users list --remote --persist-to x', /local database only/);
    expect(run('users relink Bob@Example.com --sub 1099 --by ops')).toMatchObject({
      invocation: { command: { name: 'users relink', user: { email: 'bob@example.com' }, sub: '1099' }, by: 'ops' },
    });
    expect(run('users relink bob@example.com')).toMatchObject({ invocation: { command: { sub: null } } });
    expect(run('users duplicates --json')).toMatchObject({ invocation: { command: { name: 'users duplicates' } } });
    usage('users relink bob@example.com --sub 1;DROP', /--sub: not a Google account subject/);
    usage('users disable bob@example.com --sub 1099', /--sub does not apply/);
    usage('users duplicates x@example.com', /takes no argument/);
  });

  it('users relink: the new account row, its audit row (new and replaced subs, who), the old rows gone; a taken sub changes nothing', () => {
    const db = memoryD1();
    const EVE = '55555555-5555-4555-8555-555555555555';
    db.exec(
      `INSERT INTO users (id, email, email_verified, created_at, updated_at) VALUES ('${EVE}', 'eve@example.com', 1, 1, 1)`,
    );
    db.exec(
      `INSERT INTO accounts (provider, provider_account_id, user_id, created_at) VALUES ('google', 'sub-eve', '${EVE}', 1)`,
    );
    const sub = (text: string) => parseSubject(text) as Subject;
    const ctx = context();
    const moved = runBatch(db, relinkAccount(ref('alice@example.com'), sub('1099'), ctx));
    expect(moved).toMatchObject({ takenBy: null, linked: true, replaced: ['sub-alice'], auditId: ctx.auditId });
    expect(db.prepare('SELECT provider_account_id FROM accounts WHERE user_id = ?').all(ALICE)).toEqual([
      { provider_account_id: '1099' },
    ]);
    expect(db.prepare('SELECT kind, user_id, detail FROM auth_events WHERE id = ?').get(ctx.auditId)).toEqual({
      kind: 'admin_account_relinked',
      user_id: ALICE,
      detail: '{"sub":"1099","replaced":["sub-alice"],"by":"ops@example.com"}',
    });
    const taken = runBatch(db, relinkAccount(ref('bob@example.com'), sub('sub-eve'), context()));
    expect(taken).toMatchObject({ takenBy: { email: 'eve@example.com' }, linked: false, replaced: [], auditId: null });
    expect(db.prepare('SELECT provider_account_id FROM accounts WHERE user_id = ?').all(BOB)).toEqual([
      { provider_account_id: 'sub-bob' },
    ]);
    expect(runBatch(db, relinkAccount(ref('twin@example.com'), sub('1100'), context())).lookup.found).toBe('many');
    expect(runBatch(db, listDuplicates()).map((r) => [r.address, r.id])).toEqual([
      ['twin@example.com', TWIN_1],
      ['twin@example.com', TWIN_2],
    ]);
  });

  it('users list and show read the user, roles, live sessions and events; an email is matched case-insensitively', () => {
    const db = memoryD1();
    const all = runBatch(db, listUsers({}, NOW));
    expect(all.map((u) => [u.id, u.roles, u.liveSessions])).toEqual([
      [ALICE, [], 2],
      [BOB, ['admin'], 1],
      [TWIN_1, [], 0],
      [TWIN_2, [], 0],
    ]);
    expect(runBatch(db, listUsers({ role: 'admin' as Role }, NOW)).map((u) => u.id)).toEqual([BOB]);
    expect(runBatch(db, listUsers({ disabled: true }, NOW))).toEqual([]);
    const alice = runBatch(db, showUser(ref('ALICE@example.COM'), NOW));
    expect(alice.lookup).toMatchObject({ found: 'one', user: { id: ALICE } });
    expect(alice.accounts.map((a) => a.providerAccountId)).toEqual(['sub-alice']);
    expect(alice.sessions.map((s) => s.id)).toEqual(['s-alice-live-1', 's-alice-live-2']);
    expect(alice.events.map((e) => e.id).sort()).toEqual(['e-alice-1', 'e-alice-2']);
    const twins = runBatch(db, showUser(ref('twin@example.com'), NOW));
    expect(twins.lookup).toMatchObject({ found: 'many' });
    expect(twins.accounts).toEqual([]); // several users match: no details of any
    expect(runBatch(db, showUser(ref('nobody@example.com'), NOW)).lookup).toEqual({ found: 'none' });
  });

  it('a change writes its audit row only when it changed something; a shared email changes nothing', () => {
    const db = memoryD1();
    const events = () => db.prepare("SELECT * FROM auth_events WHERE kind LIKE 'admin_%' ORDER BY created_at").all();
    const first = context();
    const disabled = runBatch(db, disableUser(ref('alice@example.com'), first));
    expect(disabled.auditId).toBe(first.auditId);
    expect(db.prepare('SELECT disabled_at FROM users WHERE id = ?').get(ALICE)).toEqual({ disabled_at: first.now });
    expect(runBatch(db, disableUser(ref('Alice@example.com'), context())).auditId).toBeNull();
    expect(runBatch(db, enableUser(ref(ALICE), context(null))).auditId).not.toBeNull();
    expect(runBatch(db, enableUser(ref(ALICE), context())).auditId).toBeNull();
    const twin = runBatch(db, disableUser(ref('twin@example.com'), context()));
    expect(twin).toMatchObject({ lookup: { found: 'many' }, changed: [], auditId: null });
    expect(db.prepare('SELECT count(*) AS n FROM users WHERE disabled_at IS NOT NULL').get()).toEqual({ n: 0 });
    expect(runBatch(db, disableUser(ref('nobody@example.com'), context()))).toMatchObject({
      lookup: { found: 'none' },
      auditId: null,
    });
    expect(events()).toMatchObject([
      { kind: 'admin_user_disabled', user_id: ALICE, detail: '{"by":"ops@example.com"}', ip: null },
      { kind: 'admin_user_enabled', user_id: ALICE, detail: null },
    ]);
  });

  it('roles, sessions and invitations: the detail says what and who; granted_by and invited_by too', () => {
    const db = memoryD1();
    const admin = parseRole('admin') as Role;
    expect(runBatch(db, grantRole(ref('alice@example.com'), admin, context('Ops Team'))).auditId).not.toBeNull();
    expect(runBatch(db, grantRole(ref('alice@example.com'), admin, context())).auditId).toBeNull();
    expect(db.prepare('SELECT role, granted_by FROM user_roles WHERE user_id = ?').all(ALICE)).toEqual([
      { role: 'admin', granted_by: 'Ops Team' },
    ]);
    expect(runBatch(db, revokeRole(ref('alice@example.com'), admin, context())).auditId).not.toBeNull();
    expect(runBatch(db, revokeRole(ref('alice@example.com'), admin, context())).auditId).toBeNull();
    const revoked = runBatch(db, revokeSessions(ref('alice@example.com'), context()));
    expect(revoked.changed.map((r) => r.id).sort()).toEqual(['s-alice-live-1', 's-alice-live-2']);
    expect(runBatch(db, revokeSessions(ref('alice@example.com'), context())).auditId).toBeNull();
    const carol = parseEmail('Carol@Example.com') as Email;
    const added = runBatch(db, addInvite(carol, context()));
    expect(added).toMatchObject({ changed: true, invitation: { email: 'carol@example.com' } });
    expect(runBatch(db, addInvite(carol, context())).auditId).toBeNull();
    expect(runBatch(db, removeInvite(carol, context())).changed).toBe(true);
    expect(runBatch(db, removeInvite(carol, context()))).toMatchObject({ invitation: null, auditId: null });
    const details = db
      .prepare("SELECT kind, user_id, detail FROM auth_events WHERE kind LIKE 'admin_%' ORDER BY created_at")
      .all();
    expect(details).toEqual([
      { kind: 'admin_role_granted', user_id: ALICE, detail: '{"role":"admin","by":"Ops Team"}' },
      { kind: 'admin_role_revoked', user_id: ALICE, detail: '{"role":"admin","by":"ops@example.com"}' },
      { kind: 'admin_sessions_revoked', user_id: ALICE, detail: '{"sessions":2,"by":"ops@example.com"}' },
      { kind: 'admin_invite_added', user_id: null, detail: '{"email":"carol@example.com","by":"ops@example.com"}' },
      { kind: 'admin_invite_removed', user_id: null, detail: '{"email":"carol@example.com","by":"ops@example.com"}' },
    ]);
  });

  it("sources: roles revoke leaves a Google group's grant; users disable takes over the Workspace link's disable", () => {
    const db = memoryD1();
    const admin = parseRole('admin') as Role;
    db.prepare(
      "INSERT INTO user_roles (user_id, role, granted_at, granted_by, source) VALUES (?, 'admin', 1, 'workspace', 'group:admins@example.com')",
    ).run(ALICE);
    const roles = () => db.prepare('SELECT role, source FROM user_roles WHERE user_id = ? ORDER BY source').all(ALICE);
    expect(runBatch(db, grantRole(ref('alice@example.com'), admin, context())).auditId).not.toBeNull();
    expect(roles()).toEqual([
      { role: 'admin', source: 'admin' },
      { role: 'admin', source: 'group:admins@example.com' },
    ]);
    expect(runBatch(db, revokeRole(ref('alice@example.com'), admin, context())).auditId).not.toBeNull();
    expect(roles()).toEqual([{ role: 'admin', source: 'group:admins@example.com' }]);
    expect(runBatch(db, revokeRole(ref('alice@example.com'), admin, context())).auditId).toBeNull();

    const state = () => db.prepare('SELECT disabled_at, disabled_source FROM users WHERE id = ?').get(ALICE);
    db.prepare("UPDATE users SET disabled_at = 5, disabled_source = 'workspace' WHERE id = ?").run(ALICE);
    expect(runBatch(db, disableUser(ref(ALICE), context())).auditId).not.toBeNull();
    expect(state()).toEqual({ disabled_at: 5, disabled_source: 'admin' });
    expect(runBatch(db, disableUser(ref(ALICE), context())).auditId).toBeNull();
    expect(runBatch(db, enableUser(ref(ALICE), context())).auditId).not.toBeNull();
    expect(state()).toEqual({ disabled_at: null, disabled_source: null });
  });

  it('deleting a user cascades (with foreign keys on, as in D1) and keeps their events, scrubbed', () => {
    const db = memoryD1();
    // The invitation she accepted holds her address: it goes with her (as DELETE /api/me does); another stays.
    db.prepare(
      "INSERT INTO invitations (email, invited_at, accepted_at, accepted_by) VALUES ('alice@example.com', 1, 2, ?)",
    ).run(ALICE);
    db.prepare("INSERT INTO invitations (email, invited_at) VALUES ('dave@example.com', 1)").run();
    const result = runBatch(db, deleteUser(ALICE as Uuid, context()));
    expect(result).toMatchObject({
      before: { id: ALICE, accounts: 1, sessions: 4, roles: 0 },
      deleted: true,
      eventsKept: 3, // two of hers and the admin_user_deleted row
      left: { accounts: 0, sessions: 0, roles: 0 },
      invitationsRemoved: 1,
    });
    expect(db.prepare('SELECT email FROM invitations').all()).toEqual([{ email: 'dave@example.com' }]);
    const events = db.prepare('SELECT id, kind, ip, user_agent FROM auth_events WHERE user_id = ?').all(ALICE);
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.ip === null && e.user_agent === null)).toBe(true);
    expect(db.prepare("SELECT ip FROM auth_events WHERE id = 'e-bob-1'").get()).toEqual({ ip: '198.51.100.1' });
    expect(runBatch(db, deleteUser(ALICE as Uuid, context()))).toMatchObject({ deleted: false, auditId: null });
  });

  it('formats aligned tables', () => {
    const table = formatTable(
      [
        { header: 'EMAIL', value: (r: { e: string; n: number | null }) => r.e },
        { header: 'N', value: (r) => r.n },
      ],
      [
        { e: 'alice@example.com', n: 2 },
        { e: 'b@x.io', n: null },
      ],
    );
    expect(table).toBe(
      ['EMAIL              N', '-----------------  -', 'alice@example.com  2', 'b@x.io             -'].join('\n'),
    );
    expect(formatTable([], [])).toBe('(none)');
  });
});

// --- The CLI, through npm run and wrangler, against a local D1 ---

let dir: string;
let persistDir: string;
let ENV: NodeJS.ProcessEnv = childEnv();

function wrangler(args: string[]) {
  const run = spawnSync(process.execPath, [WRANGLER, ...args], { cwd: ROOT, env: ENV, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed: ${run.stderr || run.stdout}`);
  return run.stdout;
}

/** The command against the test's local D1. */
const admin = (...args: string[]) => runAdmin([...args, '--persist-to', persistDir], ENV);

/** Reads the test's local D1 once the command has exited. */
const d1 = <Row = Record<string, unknown>>(sql: string): Row[] => readLocalD1<Row>(persistDir, sql);

const adminEvents = () =>
  d1<EventRow>("SELECT id, user_id, kind, detail, ip, user_agent FROM auth_events WHERE kind LIKE 'admin_%'");

function operator(): string {
  const git = spawnSync('git', ['config', 'user.email'], { cwd: ROOT, encoding: 'utf8' });
  return (git.status === 0 && git.stdout.trim()) || (process.env.USER ?? '');
}

describe('npm run admin against a local D1', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sitewide-admin-'));
    persistDir = join(dir, 'state');
    // NODE_COMPILE_CACHE: npm, the script and wrangler reuse compiled code from run to run (~20% less CPU each).
    ENV = childEnv({ NODE_COMPILE_CACHE: join(dir, 'compile-cache') });
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir]);
    wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--command', SEED.join(';\n')]);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a bad command line prints usage and exits 2 without touching D1', async () => {
    const runs = await Promise.all([
      runAdmin([], ENV),
      admin('users', 'frobnicate'),
      admin('roles', 'grant', 'alice@example.com'),
      admin('users', 'disable', "x'; DROP TABLE users; --@example.com"),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0]?.stderr).toContain('Usage: npm run admin -- <command>');
    expect(runs[1]?.stderr).toContain("unknown command 'users frobnicate'");
    expect(runs[2]?.stderr).toContain("'roles grant' takes 2 argument(s): roles grant EMAIL ROLE");
    expect(runs[3]?.stderr).toContain('not an email address or user id');
    expect(d1('SELECT count(*) AS n FROM users')).toEqual([{ n: 4 }]);
  });

  it('users list prints a table; users show EMAIL --json (any case): user, accounts, roles, live sessions, events', async () => {
    // One after the other: two wrangler processes on one local D1 at once were flaky under load.
    const list = await admin('users', 'list');
    const show = await admin('users', 'show', 'ALICE@example.COM', '--json');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^EMAIL\s+NAME\s+ROLES\s+STATUS\s+SESSIONS\s+CREATED\s+ID$/);
    expect(lines).toHaveLength(6);
    expect(lines[2]).toMatch(new RegExp(`^Alice@Example.com\\s+Alice\\s+-\\s+active\\s+2\\s+\\S+Z\\s+${ALICE}$`));
    expect(lines[3]).toMatch(/^bob@example.com\s+Bob\s+admin\s+active\s+1\s/);

    expect(show).toMatchObject({ code: 0, stderr: '' });
    const shown = JSON.parse(show.stdout);
    expect(shown.user).toMatchObject({ id: ALICE, email: 'Alice@Example.com', name: 'Alice', disabledAt: null });
    expect(shown.accounts).toEqual([
      { provider: 'google', providerAccountId: 'sub-alice', createdAt: new Date(NOW - 3 * DAY).toISOString() },
    ]);
    expect(shown.roles).toEqual([]);
    expect(shown.sessions.map((s: { id: string }) => s.id)).toEqual(['s-alice-live-1', 's-alice-live-2']);
    expect(shown.events.map((e: { id: string }) => e.id).sort()).toEqual(['e-alice-1', 'e-alice-2']);
    expect(shown.events[0]).toMatchObject({ ip: expect.stringMatching(/^203\.0\.113\./) });
  });

  it('an unknown email exits 1; an email two users share exits 1 and names their ids', async () => {
    const unknown = await admin('users', 'show', 'nobody@example.com');
    const shared = await admin('users', 'show', 'twin@example.com');
    expect(unknown).toMatchObject({ code: 1, stdout: '' });
    expect(unknown.stderr).toContain('no user with email nobody@example.com');
    expect(shared).toMatchObject({ code: 1, stdout: '' });
    expect(shared.stderr).toContain('2 users have the email twin@example.com');
    expect(shared.stderr).toContain(TWIN_1);
    expect(shared.stderr).toContain(TWIN_2);
  });

  it('users disable sets disabled_at and writes admin_user_disabled with who', async () => {
    const run = await admin('users', 'disable', 'alice@example.com', '--by', 'ops@example.com');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Disabled Alice@Example.com (user ${ALICE})`);
    expect(run.stdout).toContain('403 user_disabled');
    const [user] = d1<{ disabled_at: number | null }>(`SELECT disabled_at FROM users WHERE id = '${ALICE}'`);
    expect(user?.disabled_at).toBeGreaterThanOrEqual(NOW);
    expect(adminEvents()).toEqual([
      {
        id: expect.any(String),
        user_id: ALICE,
        kind: 'admin_user_disabled',
        detail: '{"by":"ops@example.com"}',
        ip: null,
        user_agent: null,
      },
    ]);
  });

  it('roles grant records granted_by (git config user.email or $USER without --by); users list filters', async () => {
    const granted = await admin('roles', 'grant', 'alice@example.com', 'admin', '--json');
    expect(granted.code).toBe(0);
    const result = JSON.parse(granted.stdout);
    expect(result).toMatchObject({ changed: true, role: 'admin', user: { id: ALICE } });
    const by = operator();
    expect(d1(`SELECT role, granted_by FROM user_roles WHERE user_id = '${ALICE}'`)).toEqual([
      { role: 'admin', granted_by: by || null },
    ]);
    expect(d1(`SELECT kind, detail FROM auth_events WHERE id = '${result.auditEventId}'`)).toEqual([
      { kind: 'admin_role_granted', detail: JSON.stringify(by ? { role: 'admin', by } : { role: 'admin' }) },
    ]);

    const list = await admin('users', 'list', '--role', 'admin', '--disabled', '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      {
        id: ALICE,
        email: 'Alice@Example.com',
        name: 'Alice',
        roles: ['admin'],
        disabledAt: expect.any(String),
        liveSessions: 2,
        createdAt: new Date(NOW - 3 * DAY).toISOString(),
      },
    ]);
  });

  it('roles revoke deletes the role and writes admin_role_revoked', async () => {
    const run = await admin('roles', 'revoke', 'alice@example.com', 'admin', '--by', 'Ops Team');
    expect(run).toMatchObject({ code: 0, stdout: `Revoked role admin from Alice@Example.com (user ${ALICE}).\n` });
    expect(d1(`SELECT * FROM user_roles WHERE user_id = '${ALICE}'`)).toEqual([]);
    expect(d1("SELECT user_id, detail FROM auth_events WHERE kind = 'admin_role_revoked'")).toEqual([
      { user_id: ALICE, detail: '{"role":"admin","by":"Ops Team"}' },
    ]);
  });

  it('users enable clears disabled_at and writes admin_user_enabled', async () => {
    const run = await admin('users', 'enable', ALICE, '--json', '--by', 'ops@example.com');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ changed: true, auditEventId: expect.any(String) });
    expect(d1(`SELECT disabled_at FROM users WHERE id = '${ALICE}'`)).toEqual([{ disabled_at: null }]);
    expect(d1("SELECT user_id FROM auth_events WHERE kind = 'admin_user_enabled'")).toEqual([{ user_id: ALICE }]);
  });

  it('sessions revoke revokes every live session of the user, and counts them in the audit row', async () => {
    const run = await admin('sessions', 'revoke', 'alice@example.com', '--by', 'ops@example.com');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Revoked 2 live session(s) of Alice@Example.com (user ${ALICE})`);
    const sessions = d1<{ id: string; revoked_at: number | null }>(`SELECT id, revoked_at FROM sessions ORDER BY id`);
    const revokedNow = sessions.filter((s) => (s.revoked_at ?? 0) >= NOW).map((s) => s.id);
    expect(revokedNow).toEqual(['s-alice-live-1', 's-alice-live-2']); // not the revoked or expired one, not Bob's
    expect(d1("SELECT detail FROM auth_events WHERE kind = 'admin_sessions_revoked'")).toEqual([
      { detail: '{"sessions":2,"by":"ops@example.com"}' },
    ]);
  });

  it('invites add (lower-cased), invites list, invites remove', async () => {
    const added = await admin('invites', 'add', 'Carol@Example.COM', '--by', 'ops@example.com');
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toContain('Invited carol@example.com');
    expect(d1('SELECT email, invited_by, accepted_at FROM invitations')).toEqual([
      { email: 'carol@example.com', invited_by: 'ops@example.com', accepted_at: null },
    ]);

    const list = await admin('invites', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      /^EMAIL\s+INVITED\s+BY\s+ACCEPTED\n-+\s+-+\s+-+\s+-+\ncarol@example.com\s+\S+Z\s+ops@example.com\s+-\n$/,
    );

    const removed = await admin('invites', 'remove', 'carol@example.com', '--json', '--by', 'ops@example.com');
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ changed: true, invitation: { email: 'carol@example.com' } });
    expect(d1('SELECT * FROM invitations')).toEqual([]);
    expect(d1("SELECT kind, user_id, detail FROM auth_events WHERE kind LIKE 'admin_invite_%' ORDER BY kind")).toEqual([
      { kind: 'admin_invite_added', user_id: null, detail: '{"email":"carol@example.com","by":"ops@example.com"}' },
      { kind: 'admin_invite_removed', user_id: null, detail: '{"email":"carol@example.com","by":"ops@example.com"}' },
    ]);
  });

  it('users show prints the admin events in its table', async () => {
    const run = await admin('users', 'show', 'alice@example.com');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^id:\s+11111111-/);
    expect(run.stdout).toContain('\nRoles\n(none)\n');
    expect(run.stdout).toContain('\nLive sessions\n(none)\n');
    for (const kind of ['admin_user_disabled', 'admin_role_granted', 'admin_sessions_revoked', 'sign_in']) {
      expect(run.stdout).toContain(kind);
    }
  });

  it('users relink (without --sub: nothing refused to pick from, exit 1), then --sub: relinked, audited, sessions revoked', async () => {
    const ask = await admin('users', 'relink', 'bob@example.com');
    expect(ask).toMatchObject({ code: 1, stdout: '' });
    expect(ask.stderr).toContain('no Google account was refused for the address of bob@example.com');
    const run = await admin('users', 'relink', 'Bob@Example.com', '--sub', '1099', '--by', 'ops@example.com', '--json');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(run.stdout)).toMatchObject({
      changed: true,
      user: { id: BOB },
      sub: '1099',
      replaced: ['sub-bob'],
      revokedSessions: ['s-bob'],
    });
    expect(d1(`SELECT provider_account_id FROM accounts WHERE user_id = '${BOB}'`)).toEqual([
      { provider_account_id: '1099' },
    ]);
    expect(d1("SELECT user_id, detail FROM auth_events WHERE kind = 'admin_account_relinked'")).toEqual([
      { user_id: BOB, detail: '{"sub":"1099","replaced":["sub-bob"],"by":"ops@example.com"}' },
    ]);
    expect(d1("SELECT revoked_at FROM sessions WHERE id = 's-bob'")).toEqual([{ revoked_at: expect.any(Number) }]);
  });

  it('users duplicates lists the users that share an address, none holding it (seeded without email_normalized)', async () => {
    const run = await admin('users', 'duplicates');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ADDRESS\s+EMAIL\s+HOLDS\s+STATUS\s+CREATED\s+ID$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(new RegExp(`^twin@example.com\\s+twin@example.com\\s+-\\s+active\\s+\\S+Z\\s+${TWIN_1}$`)),
      expect.stringMatching(new RegExp(`^twin@example.com\\s+Twin@example.com\\s+-\\s+active\\s+\\S+Z\\s+${TWIN_2}$`)),
    ]);
  });

  it('users delete cascades to accounts, sessions and roles (D1 enforces foreign keys) and keeps the events, scrubbed', async () => {
    const run = await admin('users', 'delete', 'alice@example.com', '--json', '--by', 'ops@example.com');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      changed: true,
      user: { id: ALICE },
      removed: { accounts: 1, sessions: 4, roles: 0 },
    });
    expect(d1(`SELECT id FROM users WHERE id = '${ALICE}'`)).toEqual([]);
    for (const table of ['accounts', 'sessions', 'user_roles']) {
      expect(d1(`SELECT count(*) AS n FROM ${table} WHERE user_id = '${ALICE}'`), table).toEqual([{ n: 0 }]);
    }
    const events = d1<EventRow>(
      `SELECT id, user_id, kind, detail, ip, user_agent FROM auth_events WHERE user_id = '${ALICE}'`,
    );
    expect(events.map((e) => e.kind).sort()).toEqual([
      'admin_role_granted',
      'admin_role_revoked',
      'admin_sessions_revoked',
      'admin_user_deleted',
      'admin_user_disabled',
      'admin_user_enabled',
      'session_revoked',
      'sign_in',
    ]);
    expect(events.filter((e) => e.ip !== null || e.user_agent !== null)).toEqual([]);
    expect(events.find((e) => e.kind === 'admin_user_deleted')?.detail).toBe('{"by":"ops@example.com"}');
    expect(d1("SELECT ip FROM auth_events WHERE id = 'e-bob-1'")).toEqual([{ ip: '198.51.100.1' }]); // others untouched
    expect(d1(`SELECT count(*) AS n FROM sessions WHERE user_id = '${BOB}'`)).toEqual([{ n: 1 }]);
  });

  it('wrangler d1 execute runs a multi-statement --command as one batch: a failing statement undoes the others', () => {
    const sql = [
      "INSERT INTO invitations (email, invited_at) VALUES ('atomic@example.com', 1)",
      `UPDATE users SET disabled_at = 1 WHERE id = '${BOB}'`,
      "INSERT INTO invitations (email, invited_at) VALUES ('atomic@example.com', 2)", // primary key violation
    ].join(';\n');
    expect(() => wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persistDir, '--command', sql])).toThrow(
      /UNIQUE constraint failed: invitations.email/,
    );
    expect(d1("SELECT * FROM invitations WHERE email = 'atomic@example.com'")).toEqual([]);
    expect(d1(`SELECT disabled_at FROM users WHERE id = '${BOB}'`)).toEqual([{ disabled_at: null }]);
  });
});
