// `npm run doctor` on the Workspace link (scripts/doctor-workspace.ts) against the Directory stand-in:
// each failure Google can give names its fix; and the Worker's own check of the settings (a bad
// value answers 500 misconfigured with what to change).
import { describe, expect, it } from 'vitest';
import { checkWorkspace } from '../scripts/doctor-workspace';
import { defaultGoogleDeps } from '../src/workspace/google-token';
import { googleTenant, USER_SCOPE } from './support/google';
import { json } from './support/http';
import { apiWith } from './support/policy';

const doctor = (vars: Record<string, string>, secretsKnown = true) =>
  checkWorkspace({ vars, secretsKnown, deps: defaultGoogleDeps(2000) });
const verdicts = (findings: Awaited<ReturnType<typeof doctor>>) => findings.map((f) => `${f.verdict} ${f.message}`);

describe('npm run doctor: the Workspace link', () => {
  it('a working link: token, users.get of the admin, each group', async () => {
    const google = await googleTenant({
      domain: 'doc.test',
      users: [{ id: 'ws-d-1', primaryEmail: 'one@doc.test' }],
      groups: { 'ops@doc.test': ['one@doc.test'] },
      groupRoles: { 'ops@doc.test': ['ops'] },
    });
    const findings = await doctor(google.vars);
    expect(findings.filter((f) => f.verdict !== 'ok')).toEqual([]);
    expect(verdicts(findings)).toEqual([
      `ok service account ${google.clientEmail}, acting as admin@doc.test`,
      expect.stringContaining(
        'ok domain-wide delegation grants https://www.googleapis.com/auth/admin.directory.user.readonly',
      ),
      'ok users.get of admin@doc.test answered (Admin SDK API enabled, privileges in place)',
      'ok users of doc.test are offboarded when suspended or deleted',
      'ok ops@doc.test (1 user(s), nested included) gives ops',
    ]);
  });

  it('a scope missing from domain-wide delegation: unauthorized_client, and the exact scopes to grant', async () => {
    const google = await googleTenant({
      domain: 'doc.test',
      scopes: [USER_SCOPE],
      groupRoles: { 'ops@doc.test': ['ops'] },
    });
    const failed = (await doctor(google.vars)).find((f) => f.verdict === 'fail');
    expect(failed?.message).toContain('unauthorized_client');
    expect(failed?.fix).toBe(
      'In the Admin console > Security > Access and data control > API controls > Domain-wide delegation, give the client id 123456789012345678901 exactly these scopes: https://www.googleapis.com/auth/admin.directory.user.readonly,https://www.googleapis.com/auth/admin.directory.group.member.readonly (changes can take a while to apply)',
    );
  });

  it('an admin subject that is not a user: invalid_grant, and what GOOGLE_WORKSPACE_ADMIN must be', async () => {
    const google = await googleTenant({ domain: 'doc.test' });
    const failed = (await doctor({ ...google.vars, GOOGLE_WORKSPACE_ADMIN: 'nobody@doc.test' })).find(
      (f) => f.verdict === 'fail',
    );
    expect(failed?.message).toContain('invalid_grant');
    expect(failed?.fix).toContain('GOOGLE_WORKSPACE_ADMIN (nobody@doc.test) must be an existing, active user');
  });

  it('a key the stand-in does not know (replaced): Invalid JWT Signature, and to make a new key', async () => {
    const google = await googleTenant({ domain: 'doc.test' });
    const other = await googleTenant({ domain: 'doc.test' });
    google.state.publicJwk = other.state.publicJwk;
    await google.save();
    const failed = (await doctor(google.vars)).find((f) => f.verdict === 'fail');
    expect(failed?.message).toContain('Invalid JWT Signature');
    expect(failed?.fix).toContain('create a new JSON key');
  });

  it('the Admin SDK API disabled (users.get 403): names the API to enable', async () => {
    const google = await googleTenant({ domain: 'doc.test' });
    google.state.faults = {
      'users.get': {
        status: 403,
        body: '{"error":{"code":403,"message":"Admin SDK API has not been used in project 1 before or it is disabled.","errors":[{"message":"Admin SDK API has not been used in project 1 before or it is disabled.","domain":"usageLimits","reason":"accessNotConfigured"}],"status":"PERMISSION_DENIED"}}',
      },
    };
    await google.save();
    const failed = (await doctor(google.vars)).find((f) => f.verdict === 'fail');
    expect(failed?.fix).toContain('Enable the Admin SDK API');
  });

  it('a GROUP_ROLES group that does not exist', async () => {
    const google = await googleTenant({ domain: 'doc.test', groupRoles: { 'typo@doc.test': ['ops'] } });
    expect((await doctor(google.vars)).at(-1)).toMatchObject({
      verdict: 'fail',
      message: 'GROUP_ROLES group typo@doc.test does not exist',
    });
  });

  it('a loopback stand-in in production (https AUTH_URL) is refused', async () => {
    const google = await googleTenant({ domain: 'doc.test' });
    const findings = await doctor({ ...google.vars, AUTH_URL: 'https://api.doc.test' });
    expect(findings).toEqual([
      {
        verdict: 'fail',
        topic: 'Workspace link',
        message: `GOOGLE_API_BASE points at ${google.vars.GOOGLE_API_BASE}, not Google: a test stand-in`,
        fix: 'Remove GOOGLE_API_BASE: production talks to Google',
      },
    ]);
    // Also without the secrets at hand (production secrets live in Cloudflare).
    const token = { AUTH_URL: 'https://api.doc.test', GOOGLE_TOKEN_URL: 'http://localhost:9/token' };
    expect((await doctor(token, false))[0]?.fix).toBe('Remove GOOGLE_TOKEN_URL: production talks to Google');
  });

  it('key files that are not service account keys, and secrets not available', async () => {
    expect((await doctor({ GOOGLE_SERVICE_ACCOUNT: '{nope', GOOGLE_WORKSPACE_ADMIN: 'a@doc.test' }))[0]).toMatchObject({
      verdict: 'fail',
      message: expect.stringContaining('GOOGLE_SERVICE_ACCOUNT is not JSON'),
    });
    expect(
      (await doctor({ GOOGLE_SERVICE_ACCOUNT: '{"type":"authorized_user"}', GOOGLE_WORKSPACE_ADMIN: 'a@doc.test' }))[0]
        ?.message,
    ).toContain('is not a service account key file');
    expect((await doctor({ GOOGLE_WORKSPACE_ADMIN: 'a@doc.test' }, false))[0]?.verdict).toBe('warn');
    expect(await doctor({})).toEqual([]);
  });
});

describe('the Worker refuses a bad Workspace setting: 500 misconfigured, saying what to change', () => {
  const cases: Array<[string, Record<string, string>, string]> = [
    [
      'GROUP_ROLES without a service account',
      { GROUP_ROLES: '{"a@x.test":["admin"]}' },
      'GROUP_ROLES is set but the secret GOOGLE_SERVICE_ACCOUNT is not',
    ],
    ['GROUP_ROLES not JSON', { GROUP_ROLES: '{admins}' }, 'GROUP_ROLES is not JSON'],
    [
      'GROUP_ROLES with a bad role',
      { GROUP_ROLES: '{"a@x.test":["Admin!"]}' },
      "GROUP_ROLES 'a@x.test' must list at least one role name",
    ],
    [
      'GROUP_ROLES keyed by a non-address',
      { GROUP_ROLES: '{"admins":["admin"]}' },
      "GROUP_ROLES key 'admins' must be a Google group's address",
    ],
    [
      'a key file that is not JSON',
      { GOOGLE_SERVICE_ACCOUNT: 'x', GOOGLE_WORKSPACE_ADMIN: 'a@x.test' },
      'GOOGLE_SERVICE_ACCOUNT is not JSON',
    ],
    [
      'no admin subject',
      {
        GOOGLE_SERVICE_ACCOUNT:
          '{"type":"service_account","client_email":"s@p.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\\n"}',
      },
      "GOOGLE_WORKSPACE_ADMIN '' must be the address of a Workspace administrator",
    ],
  ];
  it.each(cases)('%s', async (_name, vars, message) => {
    const { status, body } = await json(await apiWith(vars as Partial<Record<keyof Env, string>>)('/api/me'));
    expect(status).toBe(500);
    expect(body.error.code).toBe('misconfigured');
    expect(body.error.message).toContain(message);
  });
});
