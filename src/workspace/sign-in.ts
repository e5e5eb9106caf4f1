import { and, asc, eq } from 'drizzle-orm';
import { asciiLowerCase } from '../access/address';
import type { Config } from '../config/config';
import { dbFor } from '../db/client';
import { userRoles } from '../db/schema';
import { describeCause, log } from '../log';
import { applyPlan, GROUP_ROLE_ROWS } from './apply';
import { getUser, hasMember } from './directory';
import { defaultGoogleDeps, type GoogleDeps } from './google-token';
import { planSync } from './plan';
import type { WorkspaceLink } from './settings';

/** Sign-in waits this long for Google at most; then it goes on with what D1 holds. */
export const SIGN_IN_TIMEOUT_MS = 3000;

/** What the Directory said about a signing-in account. */
export type WorkspaceVerdict =
  | { kind: 'refused'; reason: 'suspended' | 'archived' | 'deleted' }
  /** Admitted as far as the Directory knows; `membership` holds each GROUP_ROLES group it could answer for. */
  | { kind: 'checked'; googleId: string; membership: ReadonlyMap<string, boolean> };

/** The hook sign-in calls (src/auth/auth-config.ts) when the link is configured. */
export interface WorkspaceSignIn {
  /** Before the sign-in is recorded; never throws (Google unreachable: admitted, membership unknown). */
  check(account: { providerAccountId: string; hostedDomain: string | null }): Promise<WorkspaceVerdict>;
  /** After it: the user's group roles brought in step; the roles for the token, or undefined to keep D1's as read. */
  rolesAfterSignIn(userId: string, verdict: WorkspaceVerdict): Promise<string[] | undefined>;
}

const settle = <T>(promise: Promise<T>) =>
  promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );

/**
 * The Workspace link at sign-in. A user of the link's domains whom the
 * Directory has suspended, archived or deleted is refused (Google itself
 * refuses them at its sign-in; this closes a session started just before).
 * Group membership is asked with members.hasMember (direct or nested). When
 * Google does not answer in time, the sign-in fails open: admitted, with the
 * roles D1 holds, and a warning in the log; the next sync catches up.
 */
export function workspaceSignIn(
  env: Env,
  config: Config,
  link: WorkspaceLink,
  deps: GoogleDeps = defaultGoogleDeps(SIGN_IN_TIMEOUT_MS),
): WorkspaceSignIn {
  return {
    async check({ providerAccountId: googleId, hostedDomain }) {
      const offboarded = hostedDomain !== null && link.domains.has(asciiLowerCase(hostedDomain));
      const groups = [...link.groupRoles.keys()];
      const [user, ...answers] = await Promise.all([
        offboarded ? settle(getUser(link, deps, googleId)) : undefined,
        ...groups.map((group) => settle(hasMember(link, deps, group, googleId))),
      ]);
      if (user && !user.ok) {
        log('warn', 'workspace sign-in: the Directory did not answer; admitted on Google sign-in alone', {
          cause: describeCause(user.error),
        });
      }
      const found = user?.ok ? user.value : undefined;
      const reason =
        found === null ? 'deleted' : found?.suspended ? 'suspended' : found?.archived ? 'archived' : undefined;
      if (reason) {
        log('info', 'workspace sign-in: refused, the Directory says the account is out', { reason });
        return { kind: 'refused', reason };
      }
      const membership = new Map<string, boolean>();
      groups.forEach((group, i) => {
        const answer = answers[i];
        if (answer?.ok) membership.set(group, answer.value);
        else
          log('warn', 'workspace sign-in: group membership unknown; roles from it kept as they are', {
            group,
            cause: describeCause(answer?.error),
          });
      });
      return { kind: 'checked', googleId, membership };
    },

    async rolesAfterSignIn(userId, verdict) {
      if (verdict.kind !== 'checked' || verdict.membership.size === 0) return undefined;
      try {
        const db = dbFor(env.DB);
        const mine = and(eq(userRoles.userId, userId), GROUP_ROLE_ROWS);
        const groupRoles = await db
          .select({ userId: userRoles.userId, role: userRoles.role, source: userRoles.source })
          .from(userRoles)
          .where(mine);
        const members = new Map(
          [...verdict.membership].map(([group, member]) => [group, new Set(member ? [verdict.googleId] : [])]),
        );
        const plan = planSync({
          known: [{ userId, googleId: verdict.googleId, hostedDomain: null, disabled: false, disabledSource: null }],
          groupRoles,
          directory: undefined,
          domains: link.domains,
          groupRolesConfig: link.groupRoles,
          members,
        });
        if (plan.grant.length + plan.revoke.length === 0) return undefined;
        await applyPlan(env, config, plan, new Date());
        const rows = await db
          .selectDistinct({ role: userRoles.role })
          .from(userRoles)
          .where(eq(userRoles.userId, userId))
          .orderBy(asc(userRoles.role));
        return rows.map((r) => r.role);
      } catch (cause) {
        log('warn', 'workspace sign-in: writing group roles failed; the token carries the roles D1 held', {
          cause: describeCause(cause),
        });
        return undefined;
      }
    },
  };
}
