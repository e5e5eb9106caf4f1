// One address, one account (docs/access.md), tried as an attacker: a second Google account (another
// `sub`) with a verified address that already belongs to a user signs in through the real flow against
// the loopback OIDC server. Run in both projects: with one database, and with SESSION_DBS.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build, statementsOf } from '../scripts/admin/statements';
import { dbFor } from '../src/db/client';
import { type UserCopy, writeUserCopy } from '../src/users/user-copy';
import { admin } from './support/admin';
import { setCookies } from './support/cookies';
import { bindingOf, sessionDbNames } from './support/databases';
import { rows, run } from './support/db';
import { APP_ORIGIN } from './support/http';
import { apiWith, locationOf, signInTo, startSignInTo } from './support/policy';
import { sessionOf } from './support/sign-in';
import type { SignInResult } from './support/sign-in-flow';
import { API, SESSION_COOKIE } from './support/worker';

/** Alice's address is listed; gmail.com admits consumer accounts; invitations admit the rest. */
const site = apiWith({ ALLOWED_EMAILS: 'alice@example.test', ALLOWED_EMAIL_DOMAINS: 'gmail.com' });

const usersOfAddress = (address: string) =>
  rows<{ id: string; email: string; disabled_at: number | null }>('users', 'lower(email) = ?', address);
const accountOf = (sub: string) => rows<{ user_id: string }>('accounts', 'provider_account_id = ?', sub);

function signedIn(result: SignInResult): boolean {
  return (
    result.callback.status === 302 &&
    locationOf(result.callback).href === `${APP_ORIGIN}/home` &&
    setCookies(result.callback).some((c) => c.name === SESSION_COOKIE && c.value !== '')
  );
}

/** The reason a refused sign-in was sent to /auth/error with (none: not refused that way). */
function refusal(result: SignInResult): string | null {
  const to = locationOf(result.callback);
  if (to.origin + to.pathname !== `${API}/auth/error`) return null;
  expect(setCookies(result.callback).some((c) => c.name === SESSION_COOKIE && c.value !== '')).toBe(false);
  return to.searchParams.get('reason');
}

describe('a verified address belongs to one user', () => {
  it('a disabled address stays out: another Google account with it is refused (account_conflict), no second row', async () => {
    const first = await signInTo(site, { sub: 'oa-alice-1', email: 'alice@example.test' });
    const { userId } = sessionOf(first.jar);
    // npm run admin -- users disable alice@example.test
    expect((await admin().exec({ name: 'users disable', user: { email: 'alice@example.test' as never } })).code).toBe(
      0,
    );

    const again = await signInTo(site, { sub: 'oa-alice-2', email: 'Alice@Example.test', email_verified: true });
    expect(refusal(again)).toBe('account_conflict');
    expect((await usersOfAddress('alice@example.test')).map((u) => u.id)).toEqual([userId]);
    expect(await accountOf('oa-alice-2')).toEqual([]);
    // Audited on the user the address belongs to, with the refused account's sub for the operator.
    const [event] = await rows<{ user_id: string; detail: string; session_id: string | null }>(
      'auth_events',
      "kind = 'sign_in_refused' AND detail LIKE 'account_conflict%'",
    );
    expect(event).toMatchObject({
      user_id: userId,
      detail: 'account_conflict example.test oa-alice-2',
      session_id: null,
    });
  });

  it('an enabled user’s address is refused to a new Google account too; the owner keeps signing in', async () => {
    const owner = await signInTo(site, { sub: 'oa-gail-1', email: 'gail@gmail.com' });
    const { userId } = sessionOf(owner.jar);
    const other = await signInTo(site, { sub: 'oa-gail-2', email: 'GAIL@gmail.com' });
    expect(refusal(other)).toBe('account_conflict');
    expect(await accountOf('oa-gail-2')).toEqual([]);
    const back = await signInTo(site, { sub: 'oa-gail-1', email: 'gail@gmail.com' });
    expect(signedIn(back)).toBe(true);
    expect(sessionOf(back.jar).userId).toBe(userId);
  });

  it('an existing user cannot move onto an address another user holds', async () => {
    await signInTo(site, { sub: 'oa-hana-1', email: 'hana@gmail.com' });
    const mover = await signInTo(site, { sub: 'oa-ivo', email: 'ivo@gmail.com' });
    const { userId: ivo } = sessionOf(mover.jar);
    const moved = await signInTo(site, { sub: 'oa-ivo', email: 'hana@gmail.com' });
    expect(refusal(moved)).toBe('account_conflict');
    const [row] = await rows<{ email: string }>('users', 'id = ?', ivo);
    expect(row?.email).toBe('ivo@gmail.com');
    expect((await usersOfAddress('hana@gmail.com')).length).toBe(1);
  });

  it('an unverified address claims nothing: it neither takes nor blocks the verified one (open policy)', async () => {
    const open = apiWith({});
    const squatter = await signInTo(open, { sub: 'oa-jo-unverified', email: 'jo@example.test', email_verified: false });
    expect(signedIn(squatter)).toBe(true);
    const real = await signInTo(open, { sub: 'oa-jo', email: 'jo@example.test', email_verified: true });
    expect(signedIn(real)).toBe(true);
    const late = await signInTo(open, { sub: 'oa-jo-late', email: 'jo@example.test', email_verified: true });
    expect(refusal(late)).toBe('account_conflict');
  });
});

let pairs = 0;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('two Google accounts racing for one address', () => {
  it('exactly one is admitted, whatever the timings and the order (invited, listed-domain addresses)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('invitation', 'domain'),
        fc.tuple(fc.nat(6), fc.nat(6)),
        fc.boolean(),
        async (by, [delayA, delayB], aFirst) => {
          const n = ++pairs;
          const address = by === 'invitation' ? `race-${n}@elsewhere.test` : `race-${n}@gmail.com`;
          if (by === 'invitation') await run('INSERT INTO invitations (email, invited_at) VALUES (?, 1)', address);
          const [a, b] = await Promise.all([
            startSignInTo(site, { sub: `race-${n}-a`, email: address }),
            startSignInTo(site, { sub: `race-${n}-b`, email: address.toUpperCase() }),
          ]);
          const racers: Array<[typeof a, number]> = aFirst
            ? [
                [a, delayA],
                [b, delayB],
              ]
            : [
                [b, delayB],
                [a, delayA],
              ];
          const results = await Promise.all(racers.map(([s, delay]) => sleep(delay).then(() => s.finish())));
          const admitted = results.filter(signedIn);
          expect(admitted).toHaveLength(1);
          const loser = results.find((r) => !signedIn(r)) as SignInResult;
          // Refused by the batch (account_conflict), or, when the winner's batch ran first, by the
          // invitation it accepted (the address is then on no admitted list: domain_not_allowed).
          expect(['account_conflict', 'domain_not_allowed']).toContain(refusal(loser));
          const winner = sessionOf((admitted[0] as SignInResult).jar).userId;
          expect((await usersOfAddress(address)).map((u) => u.id)).toEqual([winner]);
          if (by === 'invitation') {
            expect(await rows('invitations', 'email = ?', address)).toMatchObject([{ accepted_by: winner }]);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('npm run admin -- users relink: the address moves to another Google account on purpose', () => {
  it('lists the refused accounts, relinks the one named (audited), revokes the old sessions; the new account signs in as the user', async () => {
    const first = await signInTo(site, { sub: 'oa-rita-old', email: 'rita@gmail.com' });
    const { userId, sid } = sessionOf(first.jar);
    await run("INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, 'editor', 1)", userId);
    const refused = await signInTo(site, { sub: 'oa-rita-new', email: 'rita@gmail.com' });
    expect(refusal(refused)).toBe('account_conflict');

    const { exec } = admin();
    const user = { email: 'rita@gmail.com' as never };
    const ask = await exec({ name: 'users relink', user, sub: null });
    expect(ask.code).toBe(1);
    expect(ask.stderr).toContain('--sub SUB');
    expect(ask.stderr).toMatch(/\noa-rita-new\s/);

    const moved = await exec({ name: 'users relink', user, sub: 'oa-rita-new' as never }, { by: 'ops' });
    expect(moved.code).toBe(0);
    expect(JSON.parse(moved.stdout)).toMatchObject({
      changed: true,
      user: { id: userId },
      sub: 'oa-rita-new',
      replaced: ['oa-rita-old'],
      revokedSessions: [sid],
    });
    expect(await rows('auth_events', "kind = 'admin_account_relinked' AND user_id = ?", userId)).toMatchObject([
      { detail: '{"sub":"oa-rita-new","replaced":["oa-rita-old"],"by":"ops"}' },
    ]);
    expect(await rows('sessions', 'id = ?', sid)).toMatchObject([{ revoked_at: expect.any(Number) }]);

    const now = await signInTo(site, { sub: 'oa-rita-new', email: 'rita@gmail.com' });
    expect(signedIn(now)).toBe(true);
    expect(sessionOf(now.jar).userId).toBe(userId);
    const old = await signInTo(site, { sub: 'oa-rita-old', email: 'rita@gmail.com' });
    expect(refusal(old)).toBe('account_conflict');
    expect((await usersOfAddress('rita@gmail.com')).map((u) => u.id)).toEqual([userId]);
  });

  it('refuses to take a Google account that already signs in as another user; relinking to the current one changes nothing', async () => {
    const a = sessionOf((await signInTo(site, { sub: 'oa-sam', email: 'sam@gmail.com' })).jar);
    await signInTo(site, { sub: 'oa-tess', email: 'tess@gmail.com' });
    const { exec } = admin();
    const taken = await exec({
      name: 'users relink',
      user: { email: 'sam@gmail.com' as never },
      sub: 'oa-tess' as never,
    });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('already signs in as tess@gmail.com');
    expect((await accountOf('oa-sam')).map((row) => row.user_id)).toEqual([a.userId]);
    const same = await exec({
      name: 'users relink',
      user: { email: 'sam@gmail.com' as never },
      sub: 'oa-sam' as never,
    });
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toMatchObject({ changed: false });
  });
});

describe('with SESSION_DBS: the copies in a session database', () => {
  const names = sessionDbNames().filter((n) => n !== 'DB');
  const copyOf = (id: string, address: string): UserCopy => ({
    user: {
      id,
      email: address,
      emailNormalized: address,
      emailVerified: true,
      name: null,
      image: null,
      hostedDomain: null,
      createdAt: new Date(1),
      updatedAt: new Date(1),
      disabledAt: null,
      disabledSource: null,
    },
    roles: [],
    invitation: null,
  });
  const heldThere = async (binding: D1Database) =>
    (await binding.prepare("SELECT id, email_normalized FROM users WHERE id LIKE 'stale-%' ORDER BY id").all()).results;

  it.runIf(names.length > 0)(
    'a stale copy lets go of an address its user no longer holds (the Worker’s copy and npm run admin’s)',
    async () => {
      const binding = bindingOf(names[0] as string);
      const target = dbFor(binding);
      const write = (copy: UserCopy) => target.batch(writeUserCopy(target, copy) as never);
      await write(copyOf('stale-1', 'moved@example.test'));
      await write(copyOf('stale-2', 'moved@example.test'));
      expect(await heldThere(binding)).toEqual([
        { id: 'stale-1', email_normalized: null },
        { id: 'stale-2', email_normalized: 'moved@example.test' },
      ]);
      // npm run admin writes the same statements, inlined for wrangler (scripts/admin/statements.ts).
      const statements = statementsOf(writeUserCopy(build, copyOf('stale-1', 'moved@example.test')));
      await binding.batch(statements.map((s) => binding.prepare(s)));
      expect(await heldThere(binding)).toEqual([
        { id: 'stale-1', email_normalized: 'moved@example.test' },
        { id: 'stale-2', email_normalized: null },
      ]);
    },
  );
});
