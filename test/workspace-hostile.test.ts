// The Workspace link facing a failing or hostile Google (the stand-in's faults): the sync logs what
// failed and changes nothing it could not read completely (never disables anyone on an error, never
// removes a role of a group it could not read), never throws, and the next run picks up.
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../scripts/google-directory-model';
import { ConfigError, loadConfig } from '../src/config/config';
import { defaultGoogleDeps } from '../src/workspace/google-token';
import { syncWorkspace } from '../src/workspace/sync';
import { rows, run } from './support/db';
import { type GoogleTenant, googleTenant, runCron, USER_SCOPE } from './support/google';
import { apiWith, locationOf, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';

const DOMAIN = 'hostile.test';
const GROUP = 'staff@hostile.test';
let google: GoogleTenant;
let userId: string;

async function sync(vars: Record<string, string>, timeoutMs = 5000) {
  const config = loadConfig({ ...env, ...vars } as Env);
  if (config instanceof ConfigError) throw config;
  return syncWorkspace({ ...env, ...vars } as Env, config, { deps: defaultGoogleDeps(timeoutMs) });
}

const state = async () => {
  const [user] = await rows<{ disabled_at: number | null }>('users', 'id = ?', userId);
  const roles = await rows<{ role: string; source: string }>('user_roles', 'user_id = ?', userId);
  return { disabled: user?.disabled_at !== null, roles: roles.map((r) => `${r.role} ${r.source}`) };
};

beforeAll(async () => {
  google = await googleTenant({
    domain: DOMAIN,
    users: [{ id: 'ws-h-mo', primaryEmail: 'mo@hostile.test' }],
    groups: { [GROUP]: ['mo@hostile.test'] },
    groupRoles: { [GROUP]: ['staff'] },
  });
  const { jar, callback } = await signInTo(apiWith(google.vars), {
    sub: 'ws-h-mo',
    email: 'mo@hostile.test',
    hd: DOMAIN,
  });
  expect(locationOf(callback).pathname).not.toBe('/auth/error');
  userId = sessionOf(jar).userId;
  expect(await state()).toEqual({ disabled: false, roles: ['staff group:staff@hostile.test'] });
  // From now on Google says: suspended, and no longer in the group. Only a complete read may act on it.
  google.state.users[1] = { id: 'ws-h-mo', primaryEmail: 'mo@hostile.test', suspended: true };
  google.state.groups = { [GROUP]: [] };
});

const notJson: Fault = { status: 200, body: '<html>Service Unavailable</html>' };
const cases: Array<[string, Partial<Record<'users.list' | 'members.list', Fault>>]> = [
  ['500 backendError', { 'users.list': { status: 500 }, 'members.list': { status: 500 } }],
  [
    '403 PERMISSION_DENIED',
    {
      'users.list': {
        status: 403,
        body: '{"error":{"code":403,"message":"Not Authorized to access this resource/api","errors":[{"message":"Not Authorized to access this resource/api","domain":"global","reason":"forbidden"}],"status":"PERMISSION_DENIED"}}',
      },
      'members.list': { status: 403 },
    },
  ],
  ['a 200 that is not JSON', { 'users.list': notJson, 'members.list': notJson }],
  [
    'a list that is not a list',
    {
      'users.list': { status: 200, body: '{"users":"nope"}' },
      'members.list': { status: 200, body: '{"members":{}}' },
    },
  ],
  [
    'a user without an id',
    { 'users.list': { status: 200, body: '{"users":[{"primaryEmail":"admin@hostile.test"}]}' } },
  ],
  [
    'a page token that never ends',
    {
      'users.list': {
        status: 200,
        body: '{"users":[{"id":"x","primaryEmail":"admin@hostile.test"}],"nextPageToken":"again"}',
      },
      'members.list': { status: 200, body: '{"members":[],"nextPageToken":"again"}' },
    },
  ],
  // Complete and well-formed, but without the admin subject: not believed (a wrong customer, a foreign answer).
  ['a listing without the admin', { 'users.list': { status: 200, body: '{"kind":"admin#directory#users"}' } }],
];

describe('a failing or hostile Google never disables anyone, never crashes', () => {
  it.each(cases)('%s: nothing changes, the run reports and logs it', async (_name, faults) => {
    google.state.faults = faults;
    await google.save();
    const report = await sync(google.vars);
    expect(report.errors.length).toBeGreaterThanOrEqual(1);
    expect(report.listed).toBeUndefined();
    const groupFailed = faults['members.list'] !== undefined;
    expect(await state()).toEqual({
      disabled: false,
      roles: groupFailed ? ['staff group:staff@hostile.test'] : [],
    });
    await runCron(google.vars);
    // The role row comes back for the next case when the group read succeeded here.
    if (!groupFailed)
      await run(
        "INSERT INTO user_roles (user_id, role, granted_at, granted_by, source) VALUES (?, 'staff', ?, 'workspace', ?)",
        userId,
        Date.now(),
        `group:${GROUP}`,
      );
  });

  it('a Directory that does not answer in time (timeout): nothing changes', async () => {
    google.state.faults = { 'users.list': { delayMs: 1500 }, 'members.list': { delayMs: 1500 } };
    await google.save();
    const report = await sync(google.vars, 300);
    expect(report.errors).toEqual([
      expect.stringContaining('listing users: timeout'),
      expect.stringContaining(`listing members of ${GROUP}: timeout`),
    ]);
    expect(await state()).toEqual({ disabled: false, roles: ['staff group:staff@hostile.test'] });
  });

  it('a token refused (a scope missing from domain-wide delegation: unauthorized_client): nothing changes', async () => {
    const narrow = await googleTenant({ domain: DOMAIN, users: google.state.users.slice(1), scopes: [USER_SCOPE] });
    narrow.state.users = google.state.users;
    await narrow.save();
    const report = await sync({ ...narrow.vars, GROUP_ROLES: JSON.stringify({ [GROUP]: ['staff'] }) });
    expect(report.errors[0]).toContain('unauthorized_client');
    expect(await state()).toEqual({ disabled: false, roles: ['staff group:staff@hostile.test'] });
  });

  it('Google unreachable (nothing listens): nothing changes, the Cron Trigger returns', async () => {
    const vars = {
      ...google.vars,
      GOOGLE_API_BASE: env.TEST_CLOSED_ORIGIN,
      GOOGLE_TOKEN_URL: `${env.TEST_CLOSED_ORIGIN}/token`,
    };
    await expect(runCron(vars)).resolves.toBeUndefined();
    expect(await state()).toEqual({ disabled: false, roles: ['staff group:staff@hostile.test'] });
  });

  it('once Google answers again, the next run acts', async () => {
    google.state.faults = {};
    await google.save();
    const report = await sync(google.vars);
    expect(report.errors).toEqual([]);
    expect(await state()).toEqual({ disabled: true, roles: [] });
  });
});
