/**
 * The data behind the Google Directory stand-in (scripts/google-directory-server.ts): one tenant per
 * service account (its `client_email`), holding the key it signs with, the scopes its domain-wide
 * delegation grants, its users and groups, and the faults a test asks for. The shapes it answers
 * follow the Admin SDK reference (users, members, hasMember; Google's error body).
 */

export interface StandInUser {
  /** The account's Google id (the `sub` of its ID tokens). */
  id: string;
  primaryEmail: string;
  suspended?: boolean;
  archived?: boolean;
  /** Deleted: gone from users.list and users.get (listed by showDeleted=true only). */
  deleted?: boolean;
  aliases?: string[];
  name?: string;
}

/** What an endpoint answers instead of its data: a status and body (raw text), after a delay. */
export interface Fault {
  status?: number;
  body?: string;
  delayMs?: number;
}

export type Endpoint = 'token' | 'users.list' | 'users.get' | 'members.list' | 'members.hasMember';

export interface Tenant {
  /** The service account's public key (a JWK): the stand-in verifies each assertion's signature with it. */
  publicJwk: Record<string, unknown>;
  /** Scopes granted to the service account under domain-wide delegation. */
  delegatedScopes: string[];
  /** The customer id (`my_customer` always works). */
  customerId: string;
  users: StandInUser[];
  /** Group address -> member keys (a user's primaryEmail or id, or another group's address). */
  groups: Record<string, string[]>;
  faults?: Partial<Record<Endpoint, Fault>>;
}

/** Google's error body (https://cloud.google.com/apis/design/errors). */
export function googleError(code: number, status: string, message: string, reason: string) {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status } };
}

export const NOT_FOUND = (what: string) => googleError(404, 'NOT_FOUND', `Resource Not Found: ${what}`, 'notFound');

export function userResource(tenant: Tenant, user: StandInUser) {
  const [given, ...family] = (user.name ?? user.primaryEmail.split('@')[0] ?? '').split(' ');
  return {
    kind: 'admin#directory#user',
    id: user.id,
    etag: `"${user.id}/${user.suspended ? 's' : 'a'}"`,
    primaryEmail: user.primaryEmail,
    name: { givenName: given, familyName: family.join(' '), fullName: user.name ?? user.primaryEmail },
    isAdmin: false,
    suspended: user.suspended === true,
    ...(user.suspended ? { suspensionReason: 'ADMIN' } : {}),
    archived: user.archived === true,
    customerId: tenant.customerId,
    orgUnitPath: '/',
    ...(user.aliases?.length ? { aliases: user.aliases } : {}),
    ...(user.deleted ? { deletionTime: new Date().toISOString() } : {}),
  };
}

/** A user by id, primary address or alias (deleted ones only when asked). */
export function findUser(tenant: Tenant, key: string, withDeleted = false): StandInUser | undefined {
  const k = key.toLowerCase();
  return tenant.users.find(
    (u) =>
      (withDeleted || !u.deleted) &&
      (u.id === key || u.primaryEmail.toLowerCase() === k || (u.aliases ?? []).some((a) => a.toLowerCase() === k)),
  );
}

function groupOf(tenant: Tenant, key: string): [string, string[]] | undefined {
  const k = key.toLowerCase();
  return Object.entries(tenant.groups).find(([address]) => address.toLowerCase() === k);
}

export function memberResource(tenant: Tenant, key: string) {
  const group = groupOf(tenant, key);
  if (group) {
    return {
      kind: 'admin#directory#member',
      etag: `"g/${group[0]}"`,
      id: `group-${group[0]}`,
      email: group[0],
      role: 'MEMBER',
      type: 'GROUP',
      status: 'ACTIVE',
    };
  }
  const user = findUser(tenant, key);
  if (!user) return undefined;
  return {
    kind: 'admin#directory#member',
    etag: `"u/${user.id}"`,
    id: user.id,
    email: user.primaryEmail,
    role: 'MEMBER',
    type: 'USER',
    status: user.suspended ? 'SUSPENDED' : 'ACTIVE',
  };
}

/** A group's members: direct ones, plus (derived) the users of nested groups, each once; undefined for no such group. */
export function membersOf(tenant: Tenant, key: string, derived: boolean): string[] | undefined {
  const group = groupOf(tenant, key);
  if (!group) return undefined;
  const out = new Set(group[1]);
  if (!derived) return [...out];
  // Derived: the users of every nested group, at any depth, each group visited once.
  const seen = new Set([group[0]]);
  const visit = (members: string[]) => {
    for (const member of members) {
      const nested = groupOf(tenant, member);
      if (!nested || seen.has(nested[0])) continue;
      seen.add(nested[0]);
      for (const inner of nested[1]) if (!groupOf(tenant, inner)) out.add(inner);
      visit(nested[1]);
    }
  };
  visit(group[1]);
  return [...out];
}

/** members.hasMember: the user (by id or address) is a member, directly or through nested groups. */
export function hasMember(tenant: Tenant, groupKey: string, userKey: string): boolean | undefined {
  const members = membersOf(tenant, groupKey, true);
  const user = findUser(tenant, userKey);
  if (!members || !user) return undefined;
  return members.some((m) => findUser(tenant, m)?.id === user.id);
}
