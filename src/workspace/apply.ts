import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Config } from '../config/config';
import { dbFor } from '../db/client';
import { userRoles, users } from '../db/schema';
import { selectRow } from '../db/select-row';
import { sessionDatabaseOf } from '../db/session-databases';
import { recordRevocations } from '../revocation/snapshot';
import { insertAuthEvent } from '../users/auth-events';
import { loadUserCopy, writeUserCopy } from '../users/user-copy';
import { GROUP_SOURCE_PREFIX, type GroupRole, type SyncPlan } from './plan';

/** The `user_roles` rows the link owns: their source starts with `group:` exactly (LIKE would ignore case). */
export const GROUP_ROLE_ROWS = sql`substr(${userRoles.source}, 1, ${GROUP_SOURCE_PREFIX.length}) = ${GROUP_SOURCE_PREFIX}`;

/** Changes written per run at most (each two statements, plus a copy per user with SESSION_DBS): the rest next run. */
export const MAX_CHANGES_PER_RUN = 150;
/** Changes per D1 batch. */
const PER_BATCH = 25;

export interface Applied {
  disabled: string[];
  enabled: string[];
  granted: number;
  revoked: number;
  /** Changes left for the next run (past MAX_CHANGES_PER_RUN). */
  deferred: number;
}

const NO_REQUEST = { ip: null, userAgent: null };

/**
 * Writes a sync plan into `DB`, each change with its audit row in the same
 * batch (written only when the change touched a row): disables (source
 * `workspace`), enables (only of `workspace` disables), group roles granted
 * and revoked. Then, as `npm run admin` and the RPC revocations do: the
 * disabled users go to the revocation feed (their tokens refused everywhere
 * within REVOCATION_POLL), and with SESSION_DBS each changed user's copy is
 * rewritten in their session database (what a refresh reads there).
 */
export async function applyPlan(env: Env, config: Config, plan: SyncPlan, now: Date): Promise<Applied> {
  const db = dbFor(env.DB);
  type Change = {
    statements: [BatchItem<'sqlite'>, BatchItem<'sqlite'>];
    kind: 'disable' | 'enable' | 'grant' | 'revoke';
    userId: string;
  };
  const audit = (kind: Parameters<typeof insertAuthEvent>[1]['kind'], userId: string, detail: string) =>
    insertAuthEvent(
      db,
      { kind, userId, sessionId: null, detail, now, meta: NO_REQUEST },
      { onlyIfPreviousStatementChangedRows: true },
    );
  const roleDetail = (row: GroupRole) => `${row.role} ${row.source}`;

  const changes: Change[] = [
    ...plan.disable.map(
      ({ userId, reason }): Change => ({
        kind: 'disable',
        userId,
        statements: [
          db
            .update(users)
            .set({ disabledAt: now, disabledSource: 'workspace' })
            .where(and(eq(users.id, userId), isNull(users.disabledAt)))
            .returning({ id: users.id }),
          audit('workspace_user_disabled', userId, reason),
        ],
      }),
    ),
    ...plan.enable.map(
      (userId): Change => ({
        kind: 'enable',
        userId,
        statements: [
          db
            .update(users)
            .set({ disabledAt: null, disabledSource: null })
            .where(and(eq(users.id, userId), isNotNull(users.disabledAt), eq(users.disabledSource, 'workspace')))
            .returning({ id: users.id }),
          audit('workspace_user_enabled', userId, 'active in Google Workspace'),
        ],
      }),
    ),
    ...plan.revoke.map(
      (row): Change => ({
        kind: 'revoke',
        userId: row.userId,
        statements: [
          db
            .delete(userRoles)
            .where(
              and(eq(userRoles.userId, row.userId), eq(userRoles.role, row.role), eq(userRoles.source, row.source)),
            )
            .returning({ role: userRoles.role }),
          audit('workspace_role_revoked', row.userId, roleDetail(row)),
        ],
      }),
    ),
    ...plan.grant.map(
      (row): Change => ({
        kind: 'grant',
        userId: row.userId,
        statements: [
          // From the users row: a user deleted meanwhile gets no row (and breaks no foreign key).
          db
            .insert(userRoles)
            .select(
              db
                .select(selectRow(userRoles, { ...row, userId: users.id, grantedAt: now, grantedBy: 'workspace' }))
                .from(users)
                .where(eq(users.id, row.userId)),
            )
            .onConflictDoNothing()
            .returning({ role: userRoles.role }),
          audit('workspace_role_granted', row.userId, roleDetail(row)),
        ],
      }),
    ),
  ];

  const thisRun = changes.slice(0, MAX_CHANGES_PER_RUN);
  const applied: Applied = {
    disabled: [],
    enabled: [],
    granted: 0,
    revoked: 0,
    deferred: changes.length - thisRun.length,
  };
  const changedUsers = new Set<string>();
  for (let i = 0; i < thisRun.length; i += PER_BATCH) {
    const chunk = thisRun.slice(i, i + PER_BATCH);
    const results = (await db.batch(
      chunk.flatMap((c) => c.statements) as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]],
    )) as unknown[][];
    chunk.forEach((change, j) => {
      if ((results[j * 2] ?? []).length === 0) return;
      changedUsers.add(change.userId);
      if (change.kind === 'disable') applied.disabled.push(change.userId);
      else if (change.kind === 'enable') applied.enabled.push(change.userId);
      else if (change.kind === 'grant') applied.granted++;
      else applied.revoked++;
    });
  }

  // A token of a user disabled at `now` has iat <= that second: refuse every iat before the next one.
  const before = Math.floor(now.getTime() / 1000) + 1;
  await recordRevocations(env, config, { users: applied.disabled.map((id) => ({ id, before })) });
  for (const userId of changedUsers) await copyUser(env, config, userId);
  return applied;
}

/** With SESSION_DBS: the user's copy, read from `DB` after the change, written to their session database. */
export async function copyUser(env: Env, config: Config, userId: string): Promise<void> {
  const database = sessionDatabaseOf(env, userId, config.sessionDbs);
  if (database === env.DB) return;
  const copy = await loadUserCopy(dbFor(env.DB), userId);
  if (!copy) return;
  const sessionDb = dbFor(database);
  await sessionDb.batch(writeUserCopy(sessionDb, copy) as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
}
