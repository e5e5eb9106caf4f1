/**
 * What `npm run admin` prints of the rows it read: JSON (`--json`, camelCase, ISO 8601 times) and
 * tables (format.ts), for users list, users show and the invitations.
 */
import type { AuthEvent, Session, User } from '../../src/db/schema.ts';
import { type Column, formatFields, formatTable, isoTime, shortTime } from './format.ts';
import type { Invitation, UserDetails, UserListRow } from './reads.ts';

function userJson(u: User) {
  return {
    id: u.id,
    email: u.email,
    /** It holds its address (one address, one user); false: unverified, or shared from before the rule. */
    holdsAddress: u.emailNormalized !== null,
    name: u.name,
    emailVerified: u.emailVerified,
    createdAt: isoTime(u.createdAt),
    updatedAt: isoTime(u.updatedAt),
    disabledAt: isoTime(u.disabledAt),
    disabledBy: u.disabledSource,
  };
}

/** `users show --json`. */
export function userDetailsJson(user: User, details: UserDetails) {
  return {
    user: userJson(user),
    accounts: details.accounts.map((a) => ({
      provider: a.provider,
      providerAccountId: a.providerAccountId,
      createdAt: isoTime(a.createdAt),
    })),
    roles: details.roles.map((r) => ({
      role: r.role,
      source: r.source,
      grantedAt: isoTime(r.grantedAt),
      grantedBy: r.grantedBy,
    })),
    sessions: details.sessions.map((s) => ({
      id: s.id,
      createdAt: isoTime(s.createdAt),
      lastSeenAt: isoTime(s.lastSeenAt),
      expiresAt: isoTime(s.expiresAt),
      userAgent: s.userAgent,
    })),
    events: details.events.map((e) => ({
      id: e.id,
      kind: e.kind,
      sessionId: e.sessionId,
      detail: e.detail,
      createdAt: isoTime(e.createdAt),
      ip: e.ip,
      userAgent: e.userAgent,
    })),
  };
}

// --- users list ---

export function userListJson(u: UserListRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    roles: u.roles,
    disabledAt: isoTime(u.disabledAt),
    liveSessions: u.liveSessions,
    createdAt: isoTime(u.createdAt),
  };
}

const status = (disabledAt: Date | null, source?: string | null) =>
  disabledAt === null ? 'active' : `disabled ${shortTime(disabledAt)}${source ? ` by ${source}` : ''}`;

export const USER_LIST_COLUMNS: Column<UserListRow>[] = [
  { header: 'EMAIL', value: (u) => u.email },
  { header: 'NAME', value: (u) => u.name, max: 30 },
  { header: 'ROLES', value: (u) => u.roles.join(', ') },
  { header: 'STATUS', value: (u) => status(u.disabledAt) },
  { header: 'SESSIONS', value: (u) => u.liveSessions },
  { header: 'CREATED', value: (u) => shortTime(u.createdAt) },
  { header: 'ID', value: (u) => u.id },
];

// --- users show ---

const ACCOUNT_COLUMNS: Column<UserDetails['accounts'][number]>[] = [
  { header: 'PROVIDER', value: (a) => a.provider },
  { header: 'ACCOUNT (SUBJECT)', value: (a) => a.providerAccountId },
  { header: 'LINKED', value: (a) => shortTime(a.createdAt) },
];

const ROLE_COLUMNS: Column<UserDetails['roles'][number]>[] = [
  { header: 'ROLE', value: (r) => r.role },
  { header: 'GRANTED', value: (r) => shortTime(r.grantedAt) },
  { header: 'BY', value: (r) => r.grantedBy },
  { header: 'SOURCE', value: (r) => r.source },
];

const SESSION_COLUMNS: Column<Session>[] = [
  { header: 'SESSION', value: (s) => s.id },
  { header: 'SIGNED IN', value: (s) => shortTime(s.createdAt) },
  { header: 'LAST SEEN', value: (s) => shortTime(s.lastSeenAt) },
  { header: 'EXPIRES', value: (s) => shortTime(s.expiresAt) },
  { header: 'USER AGENT', value: (s) => s.userAgent, max: 40 },
];

const EVENT_COLUMNS: Column<AuthEvent>[] = [
  { header: 'TIME', value: (e) => shortTime(e.createdAt) },
  { header: 'KIND', value: (e) => e.kind },
  { header: 'DETAIL', value: (e) => e.detail, max: 80 },
  { header: 'SESSION', value: (e) => e.sessionId, max: 13 },
  { header: 'IP', value: (e) => e.ip },
  { header: 'USER AGENT', value: (e) => e.userAgent, max: 30 },
];

export function formatUserDetails(user: User, details: UserDetails): string {
  const fields = formatFields([
    ['id', user.id],
    ['email', user.email],
    ['name', user.name],
    ['email verified', user.emailVerified ? 'yes' : 'no'],
    ['holds address', user.emailNormalized !== null ? 'yes' : 'no (unverified, or shared: users duplicates)'],
    ['created', shortTime(user.createdAt)],
    ['updated', shortTime(user.updatedAt)],
    ['status', status(user.disabledAt, user.disabledSource)],
  ]);
  return [
    fields,
    `\nAccounts\n${formatTable(ACCOUNT_COLUMNS, details.accounts)}`,
    `\nRoles\n${formatTable(ROLE_COLUMNS, details.roles)}`,
    `\nLive sessions\n${formatTable(SESSION_COLUMNS, details.sessions)}`,
    `\nLast ${details.events.length} event(s), newest first\n${formatTable(EVENT_COLUMNS, details.events)}`,
  ].join('\n');
}

// --- invites ---

export function invitationJson(i: Invitation) {
  return {
    email: i.email,
    invitedAt: isoTime(i.invitedAt),
    invitedBy: i.invitedBy,
    acceptedAt: isoTime(i.acceptedAt),
  };
}

export function describeInvitation(i: Invitation | null): string {
  if (!i) return 'unknown';
  const by = i.invitedBy ? ` by ${i.invitedBy}` : '';
  const accepted = i.acceptedAt === null ? 'not accepted yet' : `accepted ${shortTime(i.acceptedAt)}`;
  return `since ${shortTime(i.invitedAt)}${by}, ${accepted}`;
}

export const INVITATION_COLUMNS: Column<Invitation>[] = [
  { header: 'EMAIL', value: (i) => i.email },
  { header: 'INVITED', value: (i) => shortTime(i.invitedAt) },
  { header: 'BY', value: (i) => i.invitedBy },
  { header: 'ACCEPTED', value: (i) => shortTime(i.acceptedAt) },
];
