/**
 * The statements of `npm run admin -- clients …`, built with drizzle's query builders from
 * src/db/schema.ts and inlined for `wrangler d1 execute` (scripts/admin/inline-sql.ts). Pure: each
 * function returns one batch (its statements and how to read the results). Times that verifiers
 * compare with a token's `iat` (revoked_at, tokens_revoked_before, the overlap's end) come from the
 * database's clock, not the operator's machine: a laptop whose clock is behind must not leave
 * tokens issued before a rotation alive.
 */
import { and, desc, eq, isNull, type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { clientSubject } from '../../../src/clients/subject.ts';
import { authEvents, serviceClients } from '../../../src/db/schema.ts';
import { ONE_ROW, selectRow } from '../../../src/db/select-row.ts';
import { inlineSql } from '../inline-sql.ts';
import type { Batch, ChangeContext } from '../rows.ts';
import type { Role, Uuid } from '../values.ts';
import { type ClientEventRow, type ClientRow, clientRows } from './rows.ts';
import type { Audience, ClientName } from './values.ts';

/** Builds statements only: nothing here ever runs a query itself. */
const db = drizzle(async () => {
  throw new Error('scripts/admin/clients/sql.ts builds statements; wrangler d1 execute runs them');
});

/** Now, in whole ms, by the database's clock. */
const DB_NOW = sql`CAST(unixepoch('subsec') * 1000 AS INTEGER)`;

export type ClientAuditKind = 'admin_client_created' | 'admin_client_rotated' | 'admin_client_revoked';

/** Every column but the secret hashes (which never leave the database). */
const CLIENT_COLUMNS = {
  id: serviceClients.id,
  name: serviceClients.name,
  audiences: serviceClients.audiences,
  roles: serviceClients.roles,
  created_at: serviceClients.createdAt,
  created_by: serviceClients.createdBy,
  last_used_at: serviceClients.lastUsedAt,
  revoked_at: serviceClients.revokedAt,
  previous_secret_expires_at: serviceClients.previousSecretExpiresAt,
  tokens_revoked_before: serviceClients.tokensRevokedBefore,
};

function selectClient(id: Uuid) {
  return inlineSql(db.select(CLIENT_COLUMNS).from(serviceClients).where(eq(serviceClients.id, id)));
}

function selectAudit(auditId: Uuid) {
  return inlineSql(db.select({ id: authEvents.id }).from(authEvents).where(eq(authEvents.id, auditId)));
}

/** The audit row (user_id: the subject `client:<id>`), written only when the previous statement changed a row, if asked. */
function audit(
  kind: ClientAuditKind,
  id: Uuid,
  detail: Record<string, unknown>,
  ctx: ChangeContext,
  ifChanged: boolean,
) {
  const row = selectRow(authEvents, {
    id: ctx.auditId,
    userId: clientSubject(id),
    sessionId: null,
    kind,
    detail: JSON.stringify({ ...detail, ...(ctx.by ? { by: ctx.by } : {}) }),
    createdAt: new Date(ctx.now),
    ip: null,
    userAgent: null,
  });
  const where: SQL | undefined = ifChanged ? sql`changes() > 0` : undefined;
  return inlineSql(db.insert(authEvents).select(db.select(row).from(ONE_ROW).where(where)));
}

export interface NewClient {
  id: Uuid;
  name: ClientName;
  secretHash: string;
  audiences: Audience[];
  roles: Role[];
}

/** `clients create`: the row, its audit row, and the row as stored. */
export function createClient(client: NewClient, ctx: ChangeContext): Batch<ClientRow | undefined> {
  const insert = db.insert(serviceClients).values({
    id: client.id,
    name: client.name,
    secretHash: client.secretHash,
    audiences: [...client.audiences],
    roles: [...client.roles],
    createdBy: ctx.by,
  });
  const detail = { name: client.name, audiences: client.audiences, roles: client.roles };
  return {
    statements: [
      inlineSql(insert),
      audit('admin_client_created', client.id, detail, ctx, false),
      selectClient(client.id),
    ],
    read: (results) => clientRows(results[2])[0],
  };
}

export function listClients(): Batch<ClientRow[]> {
  const query = db.select(CLIENT_COLUMNS).from(serviceClients).orderBy(serviceClients.createdAt, serviceClients.id);
  return { statements: [inlineSql(query)], read: (results) => clientRows(results[0]) };
}

export interface ClientDetails {
  client: ClientRow | undefined;
  events: ClientEventRow[];
}

/** `clients show`: the row and its last `eventLimit` audit events, newest first. */
export function showClient(id: Uuid, eventLimit = 20): Batch<ClientDetails> {
  const events = db
    .select({ id: authEvents.id, kind: authEvents.kind, detail: authEvents.detail, created_at: authEvents.createdAt })
    .from(authEvents)
    .where(eq(authEvents.userId, clientSubject(id)))
    .orderBy(desc(authEvents.createdAt))
    .limit(eventLimit);
  return {
    statements: [selectClient(id), inlineSql(events)],
    read: (results) => ({
      client: clientRows(results[0])[0],
      events: (results[1] ?? []) as unknown as ClientEventRow[],
    }),
  };
}

export interface ChangeResult {
  /** The row after the change (undefined: no such client). */
  client: ClientRow | undefined;
  /** The audit row's id when the change happened, else null (unknown or revoked client). */
  auditId: Uuid | null;
}

function readChange(ctx: ChangeContext) {
  return (results: Parameters<Batch<unknown>['read']>[0]): ChangeResult => ({
    client: clientRows(results[2])[0],
    auditId: (results[3] ?? []).length > 0 ? ctx.auditId : null,
  });
}

/**
 * `clients rotate`: a new secret hash. With an overlap, the old hash stays valid that many seconds
 * (previous_secret_*); without, it is gone now and the client's tokens issued before now are
 * refused (tokens_revoked_before, which the revocation feed carries). A revoked client is not rotated.
 */
export function rotateClient(
  id: Uuid,
  secretHash: string,
  overlapSeconds: number,
  ctx: ChangeContext,
): Batch<ChangeResult> {
  const overlap = overlapSeconds > 0;
  const update = db
    .update(serviceClients)
    .set({
      secretHash,
      previousSecretHash: overlap ? sql`${serviceClients.secretHash}` : null,
      previousSecretExpiresAt: overlap ? sql`${DB_NOW} + ${overlapSeconds * 1000}` : null,
      ...(overlap ? {} : { tokensRevokedBefore: DB_NOW }),
    })
    .where(and(eq(serviceClients.id, id), isNull(serviceClients.revokedAt)));
  return {
    statements: [
      inlineSql(update),
      audit('admin_client_rotated', id, { overlapSeconds }, ctx, true),
      selectClient(id),
      selectAudit(ctx.auditId),
    ],
    read: readChange(ctx),
  };
}

/** `clients revoke`: refused from now on; its tokens issued before now are refused through the feed. */
export function revokeClient(id: Uuid, ctx: ChangeContext): Batch<ChangeResult> {
  const update = db
    .update(serviceClients)
    .set({ revokedAt: DB_NOW, tokensRevokedBefore: DB_NOW, previousSecretHash: null, previousSecretExpiresAt: null })
    .where(and(eq(serviceClients.id, id), isNull(serviceClients.revokedAt)));
  return {
    statements: [
      inlineSql(update),
      audit('admin_client_revoked', id, {}, ctx, true),
      selectClient(id),
      selectAudit(ctx.auditId),
    ],
    read: readChange(ctx),
  };
}
