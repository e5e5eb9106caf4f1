import type { DirectoryUser } from './directory';

/**
 * What one Workspace sync changes in D1, decided from what the Directory said
 * and what D1 holds: pure, so every rule is tested without Google or D1.
 */

/** A Sitewide user with a Google account, as the sync reads it from D1. */
export interface KnownUser {
  userId: string;
  /** The Google account's `sub`: its Directory user id. */
  googleId: string;
  hostedDomain: string | null;
  disabled: boolean;
  /** users.disabled_source: only `workspace` disables are ever lifted by the link. */
  disabledSource: string | null;
}

/** A `user_roles` row the link owns (source `group:<address>`). */
export interface GroupRole {
  userId: string;
  role: string;
  source: string;
}

export interface SyncInput {
  known: readonly KnownUser[];
  /** The group-sourced rows in D1 now. */
  groupRoles: readonly GroupRole[];
  /** Every user of the customer, by Google id; undefined when the listing failed (nobody is disabled or enabled). */
  directory: ReadonlyMap<string, DirectoryUser> | undefined;
  /** The domains the link offboards (GOOGLE_WORKSPACE_DOMAIN). */
  domains: ReadonlySet<string>;
  /** GROUP_ROLES. */
  groupRolesConfig: ReadonlyMap<string, readonly string[]>;
  /** The members (Google ids) of each group read completely this run; a group missing here keeps its rows. */
  members: ReadonlyMap<string, ReadonlySet<string>>;
}

export interface SyncPlan {
  disable: Array<{ userId: string; reason: 'suspended' | 'archived' | 'deleted' }>;
  enable: string[];
  grant: GroupRole[];
  revoke: GroupRole[];
}

/** The source of a role the link granted from a group: `group:<address>`. */
export const GROUP_SOURCE_PREFIX = 'group:';
export const groupSource = (group: string) => `${GROUP_SOURCE_PREFIX}${group}`;

/** Why the Directory puts this account out, or null when it is active. */
function outReason(user: DirectoryUser | undefined): SyncPlan['disable'][number]['reason'] | null {
  if (!user) return 'deleted';
  if (user.suspended) return 'suspended';
  if (user.archived) return 'archived';
  return null;
}

export function planSync(input: SyncInput): SyncPlan {
  const plan: SyncPlan = { disable: [], enable: [], grant: [], revoke: [] };

  // Offboarding: only users of the link's domains, only on a complete listing.
  if (input.directory) {
    for (const user of input.known) {
      if (!user.hostedDomain || !input.domains.has(user.hostedDomain)) continue;
      const reason = outReason(input.directory.get(user.googleId));
      if (reason && !user.disabled) plan.disable.push({ userId: user.userId, reason });
      if (!reason && user.disabled && user.disabledSource === 'workspace') plan.enable.push(user.userId);
    }
  }

  // Roles: the rows each completely read group should give, against the rows it has.
  const want = new Map<string, GroupRole>();
  for (const [group, members] of input.members) {
    const roles = input.groupRolesConfig.get(group) ?? [];
    for (const user of input.known) {
      if (!members.has(user.googleId)) continue;
      for (const role of roles) {
        const row = { userId: user.userId, role, source: groupSource(group) };
        want.set(JSON.stringify(row), row);
      }
    }
  }
  const have = new Set<string>();
  for (const row of input.groupRoles) {
    const key = JSON.stringify({ userId: row.userId, role: row.role, source: row.source });
    have.add(key);
    const group = row.source.slice(GROUP_SOURCE_PREFIX.length);
    // A group no longer in GROUP_ROLES grants nothing; a group not read this run keeps what it gave.
    const decided = !input.groupRolesConfig.has(group) || input.members.has(group);
    if (decided && !want.has(key)) plan.revoke.push(row);
  }
  for (const [key, row] of want) if (!have.has(key)) plan.grant.push(row);
  return plan;
}
