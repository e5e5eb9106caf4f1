// The Workspace sync's decisions (src/workspace/plan.ts), pure: who is disabled or enabled, which
// group-sourced role rows are granted or revoked, and what an incomplete read leaves alone.
import { describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../src/workspace/directory';
import { type KnownUser, planSync, type SyncInput } from '../src/workspace/plan';

const user = (userId: string, over: Partial<KnownUser> = {}): KnownUser => ({
  userId,
  googleId: `g-${userId}`,
  hostedDomain: 'acme.test',
  disabled: false,
  disabledSource: null,
  ...over,
});
const dir = (...users: Array<Partial<DirectoryUser> & { id: string }>) =>
  new Map(users.map((u) => [u.id, { primaryEmail: `${u.id}@acme.test`, suspended: false, archived: false, ...u }]));
const input = (over: Partial<SyncInput>): SyncInput => ({
  known: [],
  groupRoles: [],
  directory: undefined,
  domains: new Set(['acme.test']),
  groupRolesConfig: new Map(),
  members: new Map(),
  ...over,
});

describe('planSync', () => {
  it('disables the suspended, archived and absent users of its domains; nobody else', () => {
    const known = [
      user('a'),
      user('s'),
      user('r'),
      user('gone'),
      user('other', { hostedDomain: 'other.test' }),
      user('consumer', { hostedDomain: null }),
      user('already', { disabled: true, disabledSource: 'admin' }),
    ];
    const directory = dir({ id: 'g-a' }, { id: 'g-s', suspended: true }, { id: 'g-r', archived: true });
    expect(planSync(input({ known, directory })).disable).toEqual([
      { userId: 's', reason: 'suspended' },
      { userId: 'r', reason: 'archived' },
      { userId: 'gone', reason: 'deleted' },
    ]);
  });

  it('enables only its own disables of users active again; a failed listing decides nothing', () => {
    const known = [
      user('ws', { disabled: true, disabledSource: 'workspace' }),
      user('op', { disabled: true, disabledSource: 'admin' }),
      user('sql', { disabled: true, disabledSource: null }),
    ];
    const directory = dir({ id: 'g-ws' }, { id: 'g-op' }, { id: 'g-sql' });
    expect(planSync(input({ known, directory })).enable).toEqual(['ws']);
    expect(planSync(input({ known: [user('x')], directory: undefined }))).toEqual({
      disable: [],
      enable: [],
      grant: [],
      revoke: [],
    });
  });

  it('group roles: granted to members, revoked from leavers; an unread group keeps its rows; a dropped group loses them', () => {
    const known = [user('a'), user('b')];
    const plan = planSync(
      input({
        known,
        groupRolesConfig: new Map([
          ['eng@acme.test', ['engineer']],
          ['ops@acme.test', ['ops']],
        ]),
        members: new Map([['eng@acme.test', new Set(['g-a'])]]),
        groupRoles: [
          { userId: 'b', role: 'engineer', source: 'group:eng@acme.test' },
          { userId: 'b', role: 'ops', source: 'group:ops@acme.test' },
          { userId: 'a', role: 'old', source: 'group:gone@acme.test' },
        ],
      }),
    );
    expect(plan.grant).toEqual([{ userId: 'a', role: 'engineer', source: 'group:eng@acme.test' }]);
    expect(plan.revoke).toEqual([
      { userId: 'b', role: 'engineer', source: 'group:eng@acme.test' },
      { userId: 'a', role: 'old', source: 'group:gone@acme.test' },
    ]);
  });
});
