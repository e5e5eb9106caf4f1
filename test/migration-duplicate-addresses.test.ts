// Migration 0006 (one address, one account) on a database that already holds users sharing an address:
// the real migrations on D1, up to 0005, then rows as the product wrote them before the rule, then 0006.
// It must apply, leave each address to one user, keep the others signing in, and refuse new ones.
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeAddress } from '../src/access/address';
import { admin } from './support/admin';
import { APP_ORIGIN } from './support/http';
import { apiWith, locationOf, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';

const MIGRATION = '0006_one_address_one_account.sql';
const KELVIN = '\u212A';
const open = apiWith({});

/** Users as the product stored them before 0006: [id, email, verified, created_at, Google sub]. */
const BEFORE: Array<[string, string, 0 | 1, number, string]> = [
  ['u-ann-1', 'ann@example.test', 1, 1, 'sub-ann-1'],
  ['u-ann-2', 'ANN@example.test', 1, 2, 'sub-ann-2'], // shares ann's address: the younger
  ['u-bo-1', 'bo@example.test', 1, 1, 'sub-bo-1'],
  ['u-bo-2', 'Bo@example.test', 1, 2, 'sub-bo-2'], // younger, but accepted bo's invitation
  ['u-cy-1', 'cy@example.test', 0, 1, 'sub-cy-1'], // unverified: holds nothing
  ['u-cy-2', 'cy@example.test', 1, 2, 'sub-cy-2'],
  ['u-kim-1', `${KELVIN}im@example.test`, 1, 1, 'sub-kim-1'], // KELVIN SIGN: another address
  ['u-kim-2', 'kim@example.test', 1, 2, 'sub-kim-2'],
  ['u-dee', 'Dee@Example.test', 1, 1, 'sub-dee'],
];

async function held(): Promise<Record<string, string | null>> {
  const { results } = await env.DB.prepare('SELECT id, email_normalized FROM users ORDER BY id').all<{
    id: string;
    email_normalized: string | null;
  }>();
  return Object.fromEntries(results.map((r) => [r.id, r.email_normalized]));
}

beforeAll(async () => {
  // The setup file applied every migration: start again from an empty database, up to 0005.
  const { results } = await env.DB.prepare(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
  ).all<{ name: string }>();
  const order = ['sessions', 'user_roles', 'accounts', 'auth_events', 'invitations', 'users'];
  const names = results.map((r) => r.name).sort((a, b) => order.indexOf(b) - order.indexOf(a));
  for (const name of names.reverse()) await env.DB.prepare(`DROP TABLE "${name}"`).run();
  const upTo = env.TEST_MIGRATIONS.findIndex((m) => m.name === MIGRATION);
  expect(upTo).toBeGreaterThan(0);
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS.slice(0, upTo));
  expect((await env.DB.prepare("SELECT name FROM pragma_table_info('users')").all()).results).not.toContainEqual({
    name: 'email_normalized',
  });

  await env.DB.batch([
    ...BEFORE.map(([id, email, verified, at]) =>
      env.DB.prepare(
        'INSERT INTO users (id, email, email_verified, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
      ).bind(id, email, verified, id, at, at),
    ),
    ...BEFORE.map(([id, , , at, sub]) =>
      env.DB.prepare(
        "INSERT INTO accounts (provider, provider_account_id, user_id, created_at) VALUES ('google', ?, ?, ?)",
      ).bind(sub, id, at),
    ),
    env.DB.prepare(
      "INSERT INTO invitations (email, invited_at, accepted_at, accepted_by) VALUES ('bo@example.test', 1, 2, 'u-bo-2')",
    ),
  ]);
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});

describe(`${MIGRATION} on a database with duplicate addresses`, () => {
  it('applies, and leaves each verified address to one user: the invitation’s, else the oldest', async () => {
    expect(await held()).toEqual({
      'u-ann-1': 'ann@example.test',
      'u-ann-2': null,
      'u-bo-1': null,
      'u-bo-2': 'bo@example.test',
      'u-cy-1': null,
      'u-cy-2': 'cy@example.test',
      'u-kim-1': `${KELVIN}im@example.test`,
      'u-kim-2': 'kim@example.test',
      'u-dee': 'dee@example.test',
    });
  });

  it('backfills what src/access/address.ts computes: SQLite lower() folds A-Z only (no ICU in D1)', async () => {
    const row = await env.DB.prepare(`SELECT lower(?) AS kelvin, lower('ÀÉ') AS latin`)
      .bind(`${KELVIN}IM`)
      .first<{ kelvin: string; latin: string }>();
    expect(row).toEqual({ kelvin: `${KELVIN}im`, latin: 'ÀÉ' });
    for (const [id, email, verified] of BEFORE) {
      if (verified && id !== 'u-ann-2' && id !== 'u-bo-1') expect((await held())[id]).toBe(normalizeAddress(email));
    }
  });

  it('the unique index refuses a second holder of an address', async () => {
    await expect(
      env.DB.prepare("UPDATE users SET email_normalized = 'ann@example.test' WHERE id = 'u-ann-2'").run(),
    ).rejects.toThrow(/UNIQUE constraint failed: users.email_normalized/);
  });

  it('keeps the users that shared an address signing in, without taking it', async () => {
    const younger = await signInTo(open, { sub: 'sub-ann-2', email: 'ANN@example.test' });
    expect(locationOf(younger.callback).href).toBe(`${APP_ORIGIN}/home`);
    expect(sessionOf(younger.jar).userId).toBe('u-ann-2');
    const older = await signInTo(open, { sub: 'sub-ann-1', email: 'ann@example.test' });
    expect(sessionOf(older.jar).userId).toBe('u-ann-1');
    const notInvited = await signInTo(open, { sub: 'sub-bo-1', email: 'bo@example.test' });
    expect(sessionOf(notInvited.jar).userId).toBe('u-bo-1');
    expect((await held())['u-ann-2']).toBeNull();
  });

  it('an invitation of a shared address is accepted by the user who holds it, never by one who shares it', async () => {
    await env.DB.prepare("INSERT INTO invitations (email, invited_at) VALUES ('ann@example.test', 3)").run();
    const acceptedBy = async () =>
      (await env.DB.prepare("SELECT accepted_by FROM invitations WHERE email = 'ann@example.test'").first())
        ?.accepted_by;
    await signInTo(open, { sub: 'sub-ann-2', email: 'ANN@example.test' });
    expect(await acceptedBy()).toBeNull();
    await signInTo(open, { sub: 'sub-ann-1', email: 'ann@example.test' });
    expect(await acceptedBy()).toBe('u-ann-1');
  });

  it('refuses new ones: a third Google account with the address is account_conflict', async () => {
    const third = await signInTo(open, { sub: 'sub-ann-3', email: 'Ann@Example.test' });
    expect(locationOf(third.callback).searchParams.get('reason')).toBe('account_conflict');
    expect(
      (await env.DB.prepare("SELECT count(*) AS n FROM users WHERE lower(email) = 'ann@example.test'").first())?.n,
    ).toBe(2);
  });

  it('npm run admin -- users duplicates reports them, and which user holds each address', async () => {
    const out = await admin().exec({ name: 'users duplicates' });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual([
      {
        address: 'ann@example.test',
        users: [
          expect.objectContaining({ id: 'u-ann-1', holdsAddress: true }),
          expect.objectContaining({ id: 'u-ann-2', holdsAddress: false }),
        ],
      },
      {
        address: 'bo@example.test',
        users: [
          expect.objectContaining({ id: 'u-bo-1', holdsAddress: false }),
          expect.objectContaining({ id: 'u-bo-2', holdsAddress: true }),
        ],
      },
    ]);
  });
});
