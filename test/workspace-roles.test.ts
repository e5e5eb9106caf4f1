// GROUP_ROLES (src/workspace): Google group membership, nested groups included, drives roles. The
// Cron Trigger and each sign-in bring the `group:<address>` rows of user_roles in step; the next
// token carries them; roles granted by an operator (`source` admin) are never touched.
import { describe, expect, it } from 'vitest';
import type { CookieJar } from './support/cookies';
import { rows, run } from './support/db';
import { googleTenant, runCron } from './support/google';
import { apiWith, locationOf, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';

const GROUP_ROLES = {
  'eng@roles.test': ['engineer'],
  'leads@roles.test': ['lead', 'engineer'],
};

async function signedIn(fetcher: ReturnType<typeof apiWith>, sub: string, email: string): Promise<CookieJar> {
  const { jar, callback } = await signInTo(fetcher, { sub, email, hd: 'roles.test' });
  expect(callback.status).toBe(302);
  expect(locationOf(callback).pathname).not.toBe('/auth/error');
  return jar;
}

/** The roles the next token carries: POST /auth/refresh answers the renewed session's user. */
async function rolesInNextToken(fetcher: ReturnType<typeof apiWith>, jar: CookieJar): Promise<string[]> {
  const res = await fetcher('/auth/refresh', { method: 'POST', jar });
  expect(res.status).toBe(200);
  jar.store(res);
  const body = (await res.json()) as { user: { roles: string[] } };
  expect(sessionOf(jar).token).toBeTruthy();
  return body.user.roles;
}

const roleRows = async (userId: string) =>
  (await rows<{ role: string; source: string }>('user_roles', 'user_id = ? ORDER BY role, source', userId)).map(
    ({ role, source }) => `${role} ${source}`,
  );

describe('GROUP_ROLES: Google groups drive roles', () => {
  it('the Cron Trigger grants group roles (nested groups too), removes them when membership ends, and leaves manual roles alone', async () => {
    const google = await googleTenant({
      domain: 'roles.test',
      users: [
        { id: 'ws-r-ada', primaryEmail: 'ada@roles.test' },
        { id: 'ws-r-bob', primaryEmail: 'bob@roles.test' },
      ],
      groups: { 'eng@roles.test': [], 'leads@roles.test': [] },
      groupRoles: GROUP_ROLES,
    });
    const api = apiWith(google.vars);
    const ada = await signedIn(api, 'ws-r-ada', 'ada@roles.test');
    const bob = await signedIn(api, 'ws-r-bob', 'bob@roles.test');
    const adaId = sessionOf(ada).userId;
    const bobId = sessionOf(bob).userId;
    // Operator grants: one role no group gives, one a group gives too.
    await run(
      "INSERT INTO user_roles (user_id, role, granted_at, granted_by) VALUES (?, 'auditor', ?, 'op')",
      adaId,
      Date.now(),
    );
    await run(
      "INSERT INTO user_roles (user_id, role, granted_at, granted_by) VALUES (?, 'engineer', ?, 'op')",
      bobId,
      Date.now(),
    );

    // ada directly in eng; bob in leads, which is nested in eng.
    google.state.groups = {
      'eng@roles.test': ['ada@roles.test', 'leads@roles.test'],
      'leads@roles.test': ['bob@roles.test'],
    };
    await google.save();
    await runCron(google.vars);
    expect(await roleRows(adaId)).toEqual(['auditor admin', 'engineer group:eng@roles.test']);
    expect(await roleRows(bobId)).toEqual([
      'engineer admin',
      'engineer group:eng@roles.test',
      'engineer group:leads@roles.test',
      'lead group:leads@roles.test',
    ]);
    expect(await rolesInNextToken(api, ada)).toEqual(['auditor', 'engineer']);
    expect(await rolesInNextToken(api, bob)).toEqual(['engineer', 'lead']);

    // Membership ends: ada leaves eng, leads leaves eng (bob stays in leads).
    google.state.groups = { 'eng@roles.test': [], 'leads@roles.test': ['bob@roles.test'] };
    await google.save();
    await runCron(google.vars);
    expect(await roleRows(adaId)).toEqual(['auditor admin']);
    expect(await roleRows(bobId)).toEqual([
      'engineer admin',
      'engineer group:leads@roles.test',
      'lead group:leads@roles.test',
    ]);
    expect(await rolesInNextToken(api, ada)).toEqual(['auditor']);
    expect(
      await rows('auth_events', "user_id = ? AND kind = 'workspace_role_revoked' ORDER BY created_at", adaId),
    ).toMatchObject([{ detail: 'engineer group:eng@roles.test' }]);

    // A group taken out of GROUP_ROLES grants nothing any more; the operator's roles stay.
    await runCron({ ...google.vars, GROUP_ROLES: JSON.stringify({ 'eng@roles.test': ['engineer'] }) });
    expect(await roleRows(bobId)).toEqual(['engineer admin']);
  });

  it('sign-in reads membership (members.hasMember) and puts the group roles in the first token', async () => {
    const google = await googleTenant({
      domain: 'roles.test',
      users: [{ id: 'ws-r-cy', primaryEmail: 'cy@roles.test' }],
      groups: { 'eng@roles.test': ['leads@roles.test'], 'leads@roles.test': ['cy@roles.test'] },
      groupRoles: GROUP_ROLES,
    });
    const api = apiWith(google.vars);
    const jar = await signedIn(api, 'ws-r-cy', 'cy@roles.test');
    const me = await api('/api/me', { jar });
    expect(((await me.json()) as { roles: string[] }).roles).toEqual(['engineer', 'lead']);
    expect((await google.requests()).filter((r) => r.includes('/hasMember/ws-r-cy'))).toHaveLength(2);
  });
});
