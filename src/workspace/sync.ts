import { and, eq } from 'drizzle-orm';
import { asciiLowerCase } from '../access/address';
import type { Config } from '../config/config';
import { dbFor } from '../db/client';
import { accounts, userRoles, users } from '../db/schema';
import { describeCause, log } from '../log';
import { type Applied, applyPlan, GROUP_ROLE_ROWS } from './apply';
import { type DirectoryUser, listMemberIds, listUsers } from './directory';
import { defaultGoogleDeps, GoogleApiError, type GoogleDeps } from './google-token';
import { type KnownUser, planSync } from './plan';
import type { WorkspaceLink } from './settings';

/** A listing of a whole customer may take a while: each call gets this long. */
export const SYNC_TIMEOUT_MS = 20_000;

export interface SyncReport {
  /** Users the Directory listed; undefined when the listing failed (then nobody was disabled or enabled). */
  listed: number | undefined;
  /** Groups read completely, of those in GROUP_ROLES. */
  groupsRead: number;
  applied: Applied | undefined;
  /** What failed (each logged): the run did what the rest allowed, and the next run tries again. */
  errors: string[];
}

const errorText = (error: unknown) =>
  error instanceof GoogleApiError
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);

/** The Sitewide users with a Google account, and the rows the link owns. */
async function readD1(env: Env) {
  const db = dbFor(env.DB);
  const [known, groupRoles] = await db.batch([
    db
      .select({
        userId: users.id,
        googleId: accounts.providerAccountId,
        hostedDomain: users.hostedDomain,
        disabledAt: users.disabledAt,
        disabledSource: users.disabledSource,
      })
      .from(users)
      .innerJoin(accounts, and(eq(accounts.userId, users.id), eq(accounts.provider, 'google'))),
    db
      .select({ userId: userRoles.userId, role: userRoles.role, source: userRoles.source })
      .from(userRoles)
      .where(GROUP_ROLE_ROWS),
  ]);
  return {
    known: known.map(
      (u): KnownUser => ({
        userId: u.userId,
        googleId: u.googleId,
        hostedDomain: u.hostedDomain === null ? null : asciiLowerCase(u.hostedDomain),
        disabled: u.disabledAt !== null,
        disabledSource: u.disabledSource,
      }),
    ),
    groupRoles,
  };
}

/**
 * Every user of the customer, by Google id. The listing is only believed when
 * it holds the admin subject, active: an empty or foreign listing (a wrong
 * customer id, an API answering for someone else) must not read as "everyone
 * was deleted".
 */
async function directoryOf(link: WorkspaceLink, deps: GoogleDeps): Promise<Map<string, DirectoryUser>> {
  const listed = await listUsers(link, deps);
  const admin = listed.find((u) => u.primaryEmail === link.admin);
  if (!admin || admin.suspended) {
    throw new GoogleApiError(
      200,
      'implausible_listing',
      `users.list of ${link.customer} does not hold the admin ${link.admin} as an active user: nothing is disabled this run`,
    );
  }
  return new Map(listed.map((u) => [u.id, u]));
}

/**
 * One run of the Workspace link (the Cron Trigger, every 5 minutes by
 * default): lists the customer's users (users.list, all pages) and each
 * GROUP_ROLES group's members (members.list with nested groups), then
 * disables in Sitewide the users the Directory has suspended, archived or
 * deleted, enables those it disabled that are active again, and brings
 * group-sourced roles in step. A failed listing changes nothing it covers:
 * the run logs it and the next one tries again. Never throws.
 */
export async function syncWorkspace(
  env: Env,
  config: Config,
  options: { deps?: GoogleDeps; now?: () => Date } = {},
): Promise<SyncReport> {
  const link = config.workspace;
  const report: SyncReport = { listed: undefined, groupsRead: 0, applied: undefined, errors: [] };
  if (!link) return report;
  const deps = options.deps ?? defaultGoogleDeps(SYNC_TIMEOUT_MS);
  const fail = (what: string, error: unknown) => {
    report.errors.push(`${what}: ${errorText(error)}`);
    log('error', `workspace sync: ${what} failed; retried next run`, { cause: describeCause(error) });
  };
  try {
    const [directory, ...groups] = await Promise.allSettled([
      directoryOf(link, deps),
      ...[...link.groupRoles.keys()].map((group) => listMemberIds(link, deps, group)),
    ]);
    const members = new Map<string, Set<string>>();
    if (directory?.status === 'rejected') fail('listing users', directory.reason);
    for (const [i, group] of [...link.groupRoles.keys()].entries()) {
      const result = groups[i];
      if (result?.status === 'rejected') {
        fail(`listing members of ${group}`, result.reason);
        continue;
      }
      if (result?.value === null)
        log('warn', 'workspace sync: a GROUP_ROLES group does not exist; its roles are removed', { group });
      members.set(group, result?.value ?? new Set());
    }
    const directoryMap = directory?.status === 'fulfilled' ? directory.value : undefined;
    report.listed = directoryMap?.size;
    report.groupsRead = members.size;
    const d1 = await readD1(env);
    const plan = planSync({
      ...d1,
      directory: directoryMap,
      domains: link.domains,
      groupRolesConfig: link.groupRoles,
      members,
    });
    report.applied = await applyPlan(env, config, plan, (options.now ?? (() => new Date()))());
    const { disabled, enabled, granted, revoked, deferred } = report.applied;
    log(report.errors.length ? 'warn' : 'info', 'workspace sync', {
      listed: report.listed ?? null,
      groups: report.groupsRead,
      disabled: disabled.length,
      enabled: enabled.length,
      roles_granted: granted,
      roles_revoked: revoked,
      deferred,
      errors: report.errors.length,
    });
  } catch (error) {
    fail('the run', error);
  }
  return report;
}
