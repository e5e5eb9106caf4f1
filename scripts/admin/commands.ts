/**
 * What each `npm run admin` command does: one D1 batch (two for `users delete`), then its output;
 * the `clients …` ones in clients/commands.ts.
 */

import { listDuplicatesCommand, relinkCommand } from './address-commands.ts';
import { disableUser, enableUser, grantRole, revokeRole } from './changes.ts';
import { executeClients } from './clients/commands.ts';
import { isClientsCommand } from './clients/invocation.ts';
import { deleteUser } from './delete-user.ts';
import { formatTable, shortTime } from './format.ts';
import { addInvite, removeInvite } from './invites.ts';
import type { Invocation } from './invocation.ts';
import { lookupUser } from './lookup.ts';
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
  runWhereSessionsAre,
} from './outcome.ts';
import {
  groupSources,
  listInvites,
  listUsers,
  liveSessionCounts,
  liveSessions,
  showUser,
  type UserListRow,
} from './reads.ts';
import type { ChangeContext } from './rows.ts';
import { type SessionDbs, sessionCount, usersOfAddress } from './shards.ts';
import { batchOf } from './statements.ts';
import { OPERATOR, parseUuid } from './values.ts';
import {
  describeInvitation,
  formatUserDetails,
  INVITATION_COLUMNS,
  invitationJson,
  USER_LIST_COLUMNS,
  userDetailsJson,
  userListJson,
} from './views.ts';

export type { Deps, Output } from './outcome.ts';

export async function execute(invocation: Invocation, deps: Deps): Promise<Output> {
  const { command, json } = invocation;
  if (isClientsCommand(command)) return executeClients({ ...invocation, command }, deps);
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
        const sessions = batchOf([liveSessions([user.id], deps.now())], ([rows]) => rows);
        details.sessions = await runWhereSessionsAre(deps.sessionDbs, user.id, sessions);
      }
      return print(userDetailsJson(user, details), formatUserDetails(user, details));
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
        : `${label(user)} is already disabled (since ${shortTime(user.disabledAt)}): nothing changed.`;
      // Disabled by the Workspace link before: now the operator's, which the link never lifts.
      const tookOver = changed && user.disabledAt !== null && user.disabledSource !== OPERATOR;
      return print(
        { changed, user: { id: user.id, email: user.email }, auditEventId: result.auditId },
        tookOver
          ? `${label(user)} was disabled by ${user.disabledSource ?? 'SQL'}; it is now your disable: only npm run admin -- users enable lifts it.`
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
      const fromGroups = grant ? [] : await run(deps, groupSources(user.id, command.role));
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
        const counted = await runWhereSessionsAre(deps.sessionDbs, id, sessionCount(id));
        await copyToSessionDb(deps, [id]);
        before.sessions += counted;
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
      const affected = deps.sessionDbs ? await run(deps, usersOfAddress(command.email)) : [];
      const result = await run(deps, removeInvite(command.email, context()));
      await copyToSessionDb(deps, affected);
      if (!result.invitation) return failed(`no invitation for ${command.email}`);
      const changed = result.auditId !== null;
      const text = changed
        ? `Removed the invitation of ${command.email}.`
        : `The invitation of ${command.email} was not removed.`;
      return print({ changed, invitation: invitationJson(result.invitation), auditEventId: result.auditId }, text);
    }
  }
}

// --- session databases (SESSION_DBS) ---

async function copyAddressUsers(deps: Deps, email: string): Promise<void> {
  if (!deps.sessionDbs) return;
  await copyToSessionDb(deps, await run(deps, usersOfAddress(email)));
}

async function countShardedSessions(dbs: SessionDbs, rows: UserListRow[], now: number): Promise<void> {
  const counts = new Map<string, number>();
  const batch = batchOf([liveSessionCounts(now)], ([found]) => found);
  for (const name of dbs.names) {
    for (const row of batch.read(await dbs.runIn(name)(batch.statements))) counts.set(row.userId, row.n);
  }
  for (const row of rows) row.liveSessions = counts.get(row.id) ?? 0;
}
