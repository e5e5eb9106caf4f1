/**
 * The audit row of an `npm run admin` change: src/users/auth-events.ts's authEventRow (the Worker
 * writes its own so), run in the change's batch right after it, and written only if the change's
 * statement touched a row (`changes() > 0`) and the state the row claims now holds: the row cannot
 * claim a change that did not happen. And the last rows of a user or a service client, to show.
 */
import { and, desc, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { authEvents, users } from '../../src/db/schema.ts';
import { ONE_ROW, PREVIOUS_CHANGED } from '../../src/db/select-row.ts';
import { authEventRow } from '../../src/users/auth-events.ts';
import type { ChangeContext } from './rows.ts';
import { build } from './statements.ts';
import type { Actor, AdminKind } from './values.ts';

/** `json_object(…)` of the detail fields (values, or SQL such as `changes()`), or NULL when there are none. */
export function detailJson(fields: Record<string, string | number | SQLWrapper>): SQL | null {
  const pairs = Object.entries(fields).map(([key, value]) => sql`${key}, ${value}`);
  return pairs.length ? sql`json_object(${sql.join(pairs, sql`, `)})` : null;
}

export function byField(by: Actor | null): Record<string, string> {
  return by === null ? {} : { by };
}

/**
 * The audit row of the change just before it in the batch, selected FROM the users row it changed
 * (`user`: its id is the row's user_id) or from no table: written only if that change touched a row
 * and every `where` condition, the state the row claims, holds.
 */
export function insertAudit(
  ctx: ChangeContext,
  audit: { kind: AdminKind; from: 'user' | 'none'; userId?: string; detail: SQL | null; where: SQL[] },
) {
  const row = authEventRow(ctx.auditId, {
    kind: audit.kind,
    userId: audit.from === 'user' ? users.id : (audit.userId ?? null),
    sessionId: null,
    detail: audit.detail,
    now: new Date(ctx.now),
    meta: { ip: null, userAgent: null },
  });
  const select = build.select(row);
  const where = and(PREVIOUS_CHANGED, ...audit.where);
  const source = audit.from === 'user' ? select.from(users).where(where) : select.from(ONE_ROW).where(where);
  return build.insert(authEvents).select(source).returning({ id: authEvents.id });
}

/** The last `limit` audit events `where` picks (a user's, a service client's), newest first. */
export function recentEvents(where: SQL, limit: number) {
  return build.select().from(authEvents).where(where).orderBy(desc(authEvents.createdAt), authEvents.id).limit(limit);
}
