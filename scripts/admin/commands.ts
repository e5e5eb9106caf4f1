/** What each `npm run admin` command does: one D1 batch (two for `users delete`), then its output. */

import { listDuplicatesCommand, relinkCommand } from './address-commands.ts';
import { type Column, formatFields, formatTable, isoTime, shortTime } from './format.ts';
import type { Invocation } from './invocation.ts';
import {
  copyToSessionDb,
  type Deps,
  done,
  FEED_NOTE,
  failed,
  isOutput,
  label,
  type Output,
  oneUser,
  revokeUserSessions,
  run,
} from './outcome.ts';
import type {
  AccountRow,
  ChangeContext,
  EventRow,
  InvitationRow,
  RoleRow,
  SessionRow,
  UserListRow,
  UserRow,
} from './rows.ts';
import { liveSessionCounts, type SessionDbs, sessionDbNameOf, usersOfAddress } from './shards.ts';
import {
  addInvite,
  deleteUser,
  disableUser,
  enableUser,
  grantRole,
  listInvites,
  listUsers,
  lookupUser,
  removeInvite,
  revokeRole,
  showUser,
} from './sql.ts';
import { parseUuid, type Role, sqlText } from './values.ts';

export type { Deps, Output } from './outcome.ts';

function userJson(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    /** It holds its address (one address, one user); false: unverified, or shared from before the rule. */
    holdsAddress: u.email_normalized !== null,
    name: u.name,
    emailVerified: Boolean(u.email_verified),
    createdAt: isoTime(u.created_at),
    updatedAt: isoTime(u.updated_at),
    disabledAt: isoTime(u.disabled_at),
    disabledBy: u.disabled_source,
  };
}

export async function execute(invocation: Invocation, deps: Deps): Promise<Output> {
  const { command, json } = invocation;
  const print = (data: unknown, text: string) => done(json ? JSON.stringify(data, null, 2) : text);
  const context = (): ChangeContext => ({
    now: deps.now(),
    auditId: deps.newId(),
    by: invocation.by ?? deps.operator(),
  });

  switch (command.name) {
    case 'users list': {
      const rows = await run(
        deps,
        listUsers({ role: command.role ?? undefined, disabled: command.disabled }, deps.now()),
      );
      if (deps.sessionDbs) await countShardedSessions(deps.sessionDbs, rows, deps.now());
      return print(rows.map(userListJson), formatTable(USER_LIST_COLUMNS, rows));
    }

    case 'users show': {
      const details = await run(deps, showUser(command.user, deps.now()));
      const user = oneUser(details.lookup, command.user);
      if (isOutput(user)) return user;
      if (deps.sessionDbs) {
        const [sessions] = await deps.sessionDbs.runIn(sessionDbNameOf(deps.sessionDbs, user.id))([
          liveSessionsOf(user.id, deps.now()),
        ]);
        details.sessions = (sessions ?? []) as unknown as SessionRow[];
      }
      const data = {
        user: userJson(user),
        accounts: details.accounts.map((a) => ({
          provider: a.provider,
          providerAccountId: a.provider_account_id,
          createdAt: isoTime(a.created_at),
        })),
        roles: details.roles.map((r) => ({
          role: r.role,
          source: r.source,
          grantedAt: isoTime(r.granted_at),
          grantedBy: r.granted_by,
        })),
        sessions: details.sessions.map((s) => ({
          id: s.id,
          createdAt: isoTime(s.created_at),
          lastSeenAt: isoTime(s.last_seen_at),
          expiresAt: isoTime(s.expires_at),
          userAgent: s.user_agent,
        })),
        events: details.events.map((e) => ({
          id: e.id,
          kind: e.kind,
          sessionId: e.session_id,
          detail: e.detail,
          createdAt: isoTime(e.created_at),
          ip: e.ip,
          userAgent: e.user_agent,
        })),
      };
      return print(data, formatUserDetails(user, details));
    }

    case 'users disable': {
      const result = await run(deps, disableUser(command.user, context()));
      const user = oneUser(result.lookup, command.user);
      if (isOutput(user)) return user;
      await copyToSessionDb(deps, [user.id]);
      const changed = result.auditId !== null;
      const text = changed
        ? `Disabled ${label(user)}. New sign-ins are refused now; their session cookies are refused ` +
          `${FEED_NOTE} (401 session_revoked, then 403 user_disabled at refresh).`
        : `${label(user)} is already disabled (since ${shortTime(user.disabled_at)}): nothing changed.`;
      // Disabled by the Workspace link before: now the operator's, which the link never lifts.
      const tookOver = changed && user.disabled_at !== null && user.disabled_source !== 'admin';
      return print(
        { changed, user: { id: user.id, email: user.email }, auditEventId: result.auditId },
        tookOver
          ? `${label(user)} was disabled by ${user.disabled_source ?? 'SQL'}; it is now your disable: only npm run admin -- users enable lifts it.`
          : text,
      );
    }

    case 'users enable': {
      const result = await run(deps, enableUser(command.user, context()));
      const user = oneUser(result.lookup, command.user);
      if (isOutput(user)) return user;
      await copyToSessionDb(deps, [user.id]);
      const changed = result.auditId !== null;
      const text = changed
        ? `Enabled ${label(user)}: they can sign in again, and their unexpired, unrevoked sessions refresh again.`
        : `${label(user)} is not disabled: nothing changed.`;
      return print({ changed, user: { id: user.id, email: user.email }, auditEventId: result.auditId }, text);
    }

    case 'roles grant':
    case 'roles revoke': {
      const grant = command.name === 'roles grant';
      const batch = grant
        ? grantRole(command.user, command.role, context())
        : revokeRole(command.user, command.role, context());
      const result = await run(deps, batch);
      const user = oneUser(result.lookup, command.user);
      if (isOutput(user)) return user;
      await copyToSessionDb(deps, [user.id]);
      const changed = result.auditId !== null;
      const text = grant
        ? changed
          ? `Granted role ${command.role} to ${label(user)}.`
          : `${label(user)} already has role ${command.role}: nothing changed.`
        : changed
          ? `Revoked role ${command.role} from ${label(user)}.`
          : `${label(user)} does not have role ${command.role} from npm run admin: nothing changed.`;
      const fromGroups = grant ? [] : await groupSourcesOf(deps, user.id, command.role);
      const data = {
        changed,
        user: { id: user.id, email: user.email },
        role: command.role,
        auditEventId: result.auditId,
        ...(fromGroups.length ? { stillFrom: fromGroups } : {}),
      };
      const groups = fromGroups.length
        ? ` They still hold it through ${fromGroups.join(', ')} (GROUP_ROLES): remove them from the group in Google Workspace.`
        : '';
      return print(data, text + groups);
    }

    case 'sessions revoke': {
      const result = await revokeUserSessions(deps, command.user, context());
      if (isOutput(result)) return result;
      const user = oneUser(result.lookup, command.user);
      if (isOutput(user)) return user;
      const count = result.auditId !== null ? result.changed.length : 0;
      const text = count
        ? `Revoked ${count} live session(s) of ${label(user)}. Their cookies are refused ${FEED_NOTE} ` +
          `(401 session_revoked).`
        : `${label(user)} has no live sessions: nothing changed.`;
      const data = {
        changed: count > 0,
        user: { id: user.id, email: user.email },
        revokedSessions: result.changed.map((row) => row.id),
        auditEventId: result.auditId,
      };
      return print(data, text);
    }

    case 'users delete': {
      const lookup = await run(deps, lookupUser(command.user));
      const found = oneUser(lookup, command.user);
      if (isOutput(found)) return found;
      const id = parseUuid(found.id);
      if (!id) return failed(`user id ${JSON.stringify(found.id)} is not a UUID: delete it with wrangler d1 execute`);
      const result = await run(deps, deleteUser(id, context()));
      if (!result.deleted || !result.before) return failed(`no user with id ${id} (deleted meanwhile?)`);
      const { before, left } = result;
      if (deps.sessionDbs) {
        // The copy goes from the session database; its sessions with it (ON DELETE CASCADE).
        const [counted] = await deps.sessionDbs.runIn(sessionDbNameOf(deps.sessionDbs, id))([
          `SELECT count(*) AS n FROM sessions WHERE user_id = '${id}'`,
        ]);
        await copyToSessionDb(deps, [id]);
        before.sessions += Number(counted?.[0]?.n ?? 0);
      }
      if (left.accounts + left.sessions + left.roles > 0) {
        return failed(
          `Deleted the users row of ${label(before)}, but ${left.accounts} account(s), ${left.sessions} session(s) ` +
            `and ${left.roles} role(s) still name it: foreign keys were not enforced (ON DELETE CASCADE did not run).`,
        );
      }
      const data = {
        changed: true,
        user: { id: before.id, email: before.email },
        removed: { accounts: before.accounts, sessions: before.sessions, roles: before.roles },
        eventsKept: result.eventsKept,
        auditEventId: result.auditId,
      };
      const text =
        `Deleted ${label(before)} with ${before.accounts} account(s), ${before.sessions} session(s) and ` +
        `${before.roles} role(s). Their ${result.eventsKept} audit event(s) stay, without ip or user agent. ` +
        `Their session cookies are refused ${FEED_NOTE} (401 session_revoked, then 401 user_not_found at refresh).`;
      return print(data, text);
    }

    case 'invites list': {
      const rows = await run(deps, listInvites());
      return print(rows.map(invitationJson), formatTable(INVITATION_COLUMNS, rows));
    }

    case 'invites add': {
      const result = await run(deps, addInvite(command.email, context()));
      await copyAddressUsers(deps, command.email);
      const changed = result.auditId !== null;
      const invitation = result.invitation;
      const text = changed
        ? `Invited ${command.email}: their first verified sign-in is admitted whatever the admission policy.`
        : `${command.email} is already invited (${describeInvitation(invitation)}): nothing changed.`;
      const data = { changed, invitation: invitation && invitationJson(invitation), auditEventId: result.auditId };
      return print(data, text);
    }

    case 'users relink':
      return relinkCommand(command, deps, context, print);

    case 'users duplicates':
      return listDuplicatesCommand(deps, print);

    case 'invites remove': {
      const affected = deps.sessionDbs ? await deps.run([usersOfAddress(command.email)]) : [];
      const result = await run(deps, removeInvite(command.email, context()));
      await copyToSessionDb(
        deps,
        (affected[0] ?? []).map((r) => String(r.id)),
      );
      if (!result.invitation) return failed(`no invitation for ${command.email}`);
      const changed = result.auditId !== null;
      const text = changed
        ? `Removed the invitation of ${command.email}.`
        : `The invitation of ${command.email} was not removed.`;
      return print({ changed, invitation: invitationJson(result.invitation), auditEventId: result.auditId }, text);
    }
  }
}

/** The Google groups (sources `group:…`) that still give the user this role. */
async function groupSourcesOf(deps: Deps, userId: string, role: Role): Promise<string[]> {
  const id = parseUuid(userId);
  if (!id) return [];
  const [found] = await deps.run([
    `SELECT source FROM user_roles WHERE user_id = '${id}' AND role = ${sqlText(role)} AND source != 'admin' ORDER BY source`,
  ]);
  return (found ?? []).map((r) => String(r.source));
}

// --- session databases (SESSION_DBS) ---

async function copyAddressUsers(deps: Deps, email: string): Promise<void> {
  if (!deps.sessionDbs) return;
  const [rows] = await deps.run([usersOfAddress(email)]);
  await copyToSessionDb(
    deps,
    (rows ?? []).map((r) => String(r.id)),
  );
}

function liveSessionsOf(userId: string, now: number): string {
  return (
    'SELECT id, created_at, last_seen_at, expires_at, user_agent FROM sessions' +
    ` WHERE user_id = '${parseUuid(userId) ?? ''}' AND revoked_at IS NULL AND expires_at > ${Math.trunc(now)}` +
    ' ORDER BY last_seen_at DESC'
  );
}

async function countShardedSessions(dbs: SessionDbs, rows: UserListRow[], now: number): Promise<void> {
  const counts = new Map<string, number>();
  for (const name of dbs.names) {
    const [found] = await dbs.runIn(name)([liveSessionCounts(now)]);
    for (const row of found ?? []) counts.set(String(row.user_id), Number(row.n));
  }
  for (const row of rows) row.live_sessions = counts.get(row.id) ?? 0;
}

// --- users list ---

function userListJson(u: UserListRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    roles: u.roles ? u.roles.split(',') : [],
    disabledAt: isoTime(u.disabled_at),
    liveSessions: u.live_sessions,
    createdAt: isoTime(u.created_at),
  };
}

const status = (disabledAt: number | null, source?: string | null) =>
  disabledAt === null ? 'active' : `disabled ${shortTime(disabledAt)}${source ? ` by ${source}` : ''}`;

const USER_LIST_COLUMNS: Column<UserListRow>[] = [
  { header: 'EMAIL', value: (u) => u.email },
  { header: 'NAME', value: (u) => u.name, max: 30 },
  { header: 'ROLES', value: (u) => u.roles?.replaceAll(',', ', ') },
  { header: 'STATUS', value: (u) => status(u.disabled_at) },
  { header: 'SESSIONS', value: (u) => u.live_sessions },
  { header: 'CREATED', value: (u) => shortTime(u.created_at) },
  { header: 'ID', value: (u) => u.id },
];

// --- users show ---

const ACCOUNT_COLUMNS: Column<AccountRow>[] = [
  { header: 'PROVIDER', value: (a) => a.provider },
  { header: 'ACCOUNT (SUBJECT)', value: (a) => a.provider_account_id },
  { header: 'LINKED', value: (a) => shortTime(a.created_at) },
];

const ROLE_COLUMNS: Column<RoleRow>[] = [
  { header: 'ROLE', value: (r) => r.role },
  { header: 'GRANTED', value: (r) => shortTime(r.granted_at) },
  { header: 'BY', value: (r) => r.granted_by },
  { header: 'SOURCE', value: (r) => r.source },
];

const SESSION_COLUMNS: Column<SessionRow>[] = [
  { header: 'SESSION', value: (s) => s.id },
  { header: 'SIGNED IN', value: (s) => shortTime(s.created_at) },
  { header: 'LAST SEEN', value: (s) => shortTime(s.last_seen_at) },
  { header: 'EXPIRES', value: (s) => shortTime(s.expires_at) },
  { header: 'USER AGENT', value: (s) => s.user_agent, max: 40 },
];

const EVENT_COLUMNS: Column<EventRow>[] = [
  { header: 'TIME', value: (e) => shortTime(e.created_at) },
  { header: 'KIND', value: (e) => e.kind },
  { header: 'DETAIL', value: (e) => e.detail, max: 80 },
  { header: 'SESSION', value: (e) => e.session_id, max: 13 },
  { header: 'IP', value: (e) => e.ip },
  { header: 'USER AGENT', value: (e) => e.user_agent, max: 30 },
];

function formatUserDetails(
  user: UserRow,
  details: { accounts: AccountRow[]; roles: RoleRow[]; sessions: SessionRow[]; events: EventRow[] },
): string {
  const fields = formatFields([
    ['id', user.id],
    ['email', user.email],
    ['name', user.name],
    ['email verified', user.email_verified ? 'yes' : 'no'],
    ['holds address', user.email_normalized !== null ? 'yes' : 'no (unverified, or shared: users duplicates)'],
    ['created', shortTime(user.created_at)],
    ['updated', shortTime(user.updated_at)],
    ['status', status(user.disabled_at, user.disabled_source)],
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

function invitationJson(i: InvitationRow) {
  return {
    email: i.email,
    invitedAt: isoTime(i.invited_at),
    invitedBy: i.invited_by,
    acceptedAt: isoTime(i.accepted_at),
  };
}

function describeInvitation(i: InvitationRow | null): string {
  if (!i) return 'unknown';
  const by = i.invited_by ? ` by ${i.invited_by}` : '';
  const accepted = i.accepted_at === null ? 'not accepted yet' : `accepted ${shortTime(i.accepted_at)}`;
  return `since ${shortTime(i.invited_at)}${by}, ${accepted}`;
}

const INVITATION_COLUMNS: Column<InvitationRow>[] = [
  { header: 'EMAIL', value: (i) => i.email },
  { header: 'INVITED', value: (i) => shortTime(i.invited_at) },
  { header: 'BY', value: (i) => i.invited_by },
  { header: 'ACCEPTED', value: (i) => shortTime(i.accepted_at) },
];
