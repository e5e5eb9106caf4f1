/**
 * `users relink` and `users duplicates` (docs/access.md): a verified address belongs to one user, and
 * signs in with one Google account. A second Google account with the address is refused
 * (`account_conflict`, audited on the user with its `sub`); `users relink EMAIL --sub SUB` moves the
 * user to that account on purpose.
 */

import type { AuthEvent } from '../../src/db/schema.ts';
import { type DuplicateRow, listDuplicates, recentConflicts, relinkAccount, subjectOfConflict } from './addresses.ts';
import { type Column, formatTable, isoTime, shortTime } from './format.ts';
import type { Command } from './invocation.ts';
import {
  type Deps,
  FEED_NOTE,
  failed,
  isOutput,
  label,
  type Output,
  oneUser,
  revokeUserSessions,
  run,
} from './outcome.ts';
import type { ChangeContext } from './rows.ts';
import { parseUuid } from './values.ts';

type Print = (data: unknown, text: string) => Output;

const CONFLICT_COLUMNS: Column<AuthEvent>[] = [
  { header: 'SUB', value: (c) => subjectOfConflict(c.detail ?? '') },
  { header: 'REFUSED', value: (c) => shortTime(c.createdAt) },
  { header: 'IP', value: (c) => c.ip },
  { header: 'USER AGENT', value: (c) => c.userAgent, max: 40 },
];

/**
 * `users relink EMAIL --sub SUB`: Google account SUB signs in as the user from now on, in place of
 * their previous one (one batch, audited: addresses.ts relinkAccount); then every live session of the
 * user is revoked (the previous account's, which the session rows cannot tell apart). Without `--sub`:
 * the accounts recently refused for the address, to pick from.
 */
export async function relinkCommand(
  command: Extract<Command, { name: 'users relink' }>,
  deps: Deps,
  context: () => ChangeContext,
  print: Print,
): Promise<Output> {
  if (command.sub === null) {
    const { lookup, conflicts } = await run(deps, recentConflicts(command.user));
    const user = oneUser(lookup, command.user);
    if (isOutput(user)) return user;
    if (conflicts.length === 0) {
      return failed(
        `no Google account was refused for the address of ${label(user)} lately (account_conflict): ` +
          'ask its owner to sign in with the new account first, then name it with --sub SUB.',
      );
    }
    const list = formatTable(CONFLICT_COLUMNS, conflicts);
    return failed(
      `name the Google account to move ${label(user)} to with --sub SUB. Refused lately for this address ` +
        `(newest first; check with its owner which is theirs):\n${list}`,
    );
  }

  const ctx = context();
  const result = await run(deps, relinkAccount(command.user, command.sub, ctx));
  const user = oneUser(result.lookup, command.user);
  if (isOutput(user)) return user;
  if (result.takenBy?.userId === user.id) {
    const data = { changed: false, user: { id: user.id, email: user.email }, sub: command.sub, auditEventId: null };
    return print(data, `${label(user)} already signs in with Google account ${command.sub}: nothing changed.`);
  }
  if (result.takenBy) {
    const other = label({ id: result.takenBy.userId, email: result.takenBy.email });
    return failed(
      `Google account ${command.sub} already signs in as ${other}: nothing changed. ` +
        'If that user should not exist, delete it (users delete) and relink again.',
    );
  }
  if (!result.linked || result.auditId === null) return failed(`${label(user)} was not relinked (changed meanwhile?)`);

  const id = parseUuid(user.id);
  if (!id)
    return failed(`Relinked ${label(user)}, but its id is not a UUID: revoke its sessions with sessions revoke EMAIL`);
  const revoked = await revokeUserSessions(deps, { id }, context());
  // Relinked, but the old account's sessions may live on: say so rather than "no live sessions".
  if (isOutput(revoked)) return revoked;
  const sessions = revoked.auditId !== null ? revoked.changed.map((r) => r.id) : [];
  const data = {
    changed: true,
    user: { id: user.id, email: user.email },
    sub: command.sub,
    replaced: result.replaced,
    revokedSessions: sessions,
    auditEventId: result.auditId,
  };
  const text =
    `Relinked ${label(user)}: Google account ${command.sub} signs in as this user from now on ` +
    `(replaced: ${result.replaced.join(', ') || 'none'}). ` +
    (sessions.length
      ? `Revoked ${sessions.length} live session(s); their cookies are refused ${FEED_NOTE}.`
      : 'The user had no live sessions.');
  return print(data, text);
}

const DUPLICATE_COLUMNS: Column<DuplicateRow>[] = [
  { header: 'ADDRESS', value: (r) => r.address },
  { header: 'EMAIL', value: (r) => r.email },
  { header: 'HOLDS', value: (r) => (r.emailNormalized !== null ? 'yes' : '-') },
  { header: 'STATUS', value: (r) => (r.disabledAt === null ? 'active' : `disabled ${shortTime(r.disabledAt)}`) },
  { header: 'CREATED', value: (r) => shortTime(r.createdAt) },
  { header: 'ID', value: (r) => r.id },
];

/**
 * `users duplicates`: users that share a verified address, from before one address, one user (the
 * migration left the address to one of each group, HOLDS; the others keep signing in). Disable or
 * delete the ones that should not be there by id.
 */
export async function listDuplicatesCommand(deps: Deps, print: Print): Promise<Output> {
  const rows = await run(deps, listDuplicates());
  const groups = new Map<string, typeof rows>();
  for (const row of rows) groups.set(row.address, [...(groups.get(row.address) ?? []), row]);
  const data = [...groups].map(([address, users]) => ({
    address,
    users: users.map((u) => ({
      id: u.id,
      email: u.email,
      holdsAddress: u.emailNormalized !== null,
      createdAt: isoTime(u.createdAt),
      disabledAt: isoTime(u.disabledAt),
    })),
  }));
  return print(data, formatTable(DUPLICATE_COLUMNS, rows));
}
