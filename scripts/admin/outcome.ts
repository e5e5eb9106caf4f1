/**
 * What every `npm run admin` command shares (commands.ts, address-commands.ts): its dependencies,
 * its output, running a batch, naming the one user a reference finds, and writing where sessions live.
 */

import type { User } from '../../src/db/schema.ts';
import { revokeSessions } from './changes.ts';
import { shortTime } from './format.ts';
import { type Lookup, lookupUser } from './lookup.ts';
import type { Batch, ChangeContext, RunD1 } from './rows.ts';
import { copyUsers, type SessionDbs, sessionDbNameOf } from './shards.ts';
import { type Actor, describeRef, parseUuid, type UserRef, type Uuid } from './values.ts';

export interface Deps {
  run: RunD1;
  now(): number;
  newId(): Uuid;
  /** Who runs it when --by does not say (git config user.email, $USER). */
  operator(): Actor | null;
  /** SESSION_DBS, when set: sessions and users' copies live there (scripts/admin/shards.ts). */
  sessionDbs?: SessionDbs;
  /** `clients create` and `rotate`: a new secret (tests pass a known one; else src/clients/secret.ts). */
  newSecret?: () => string;
  /** AUTH_URL of the wrangler config and environment: the token endpoint in `clients create`'s example. */
  issuer?: string;
  /** TOKEN_AUDIENCES (and AUTH_URL) of that config: `clients create` warns of an audience outside them. */
  knownAudiences?: readonly string[];
}

export interface Output {
  code: 0 | 1;
  stdout: string;
  stderr: string;
}

export const done = (stdout: string): Output => ({ code: 0, stdout, stderr: '' });
export const failed = (stderr: string): Output => ({ code: 1, stdout: '', stderr });

export async function run<T>(deps: Deps, batch: Batch<T>): Promise<T> {
  return batch.read(await deps.run(batch.statements));
}

/** Runs a batch in the session database that holds `userId`'s sessions (SESSION_DBS). */
export async function runWhereSessionsAre<T>(dbs: SessionDbs, userId: string, batch: Batch<T>): Promise<T> {
  return batch.read(await dbs.runIn(sessionDbNameOf(dbs, userId))(batch.statements));
}

/** How soon a running Worker refuses what the CLI changed: its revocation feed reads D1 (src/revocation/d1-scan.ts). */
export const FEED_NOTE =
  'within REVOCATION_POLL + 1 s, about 6 s by default, through the revocation feed; within SESSION_TOKEN_TTL if the feed is unreachable';

export function label(user: { email: string | null; id: string }): string {
  return user.email ? `${user.email} (user ${user.id})` : `user ${user.id}`;
}

/** The one user a lookup found, or the error for none or several. */
export function oneUser(lookup: Lookup, ref: UserRef): User | Output {
  if (lookup.found === 'one') return lookup.user;
  if (lookup.found === 'none') return failed(`no user with ${describeRef(ref)}`);
  const list = lookup.users.map((u) => `  ${u.id}  created ${shortTime(u.createdAt)}`).join('\n');
  return failed(
    `${lookup.users.length} users have the ${describeRef(ref)} (they shared it before one address, one user: users duplicates):\n${list}\n` +
      'Name one by its id instead of the email.',
  );
}

export const isOutput = (value: unknown): value is Output =>
  typeof value === 'object' && value !== null && 'code' in value && 'stderr' in value;

/** With SESSION_DBS: the users' copies, read from DB after the change, written to their session databases. */
export async function copyToSessionDb(deps: Deps, userIds: string[]): Promise<void> {
  if (deps.sessionDbs) await copyUsers(deps.sessionDbs, deps.run, userIds);
}

/**
 * `sessions revoke`: the batch runs where the sessions are, DB or the user's session database
 * (which holds the user's copy, so the same lookup and audit row work there).
 */
export async function revokeUserSessions(deps: Deps, ref: UserRef, ctx: ChangeContext) {
  if (!deps.sessionDbs) return run(deps, revokeSessions(ref, ctx));
  const lookup = await run(deps, lookupUser(ref));
  const user = oneUser(lookup, ref);
  if (isOutput(user)) return user;
  const id = parseUuid(user.id);
  if (!id) return failed(`user id ${JSON.stringify(user.id)} is not a UUID`);
  const result = await runWhereSessionsAre(deps.sessionDbs, id, revokeSessions({ id }, ctx));
  // A user with no copy there (no sign-in since the split) has no sessions there either.
  return { ...result, lookup };
}
