/**
 * The batches of `npm run admin -- clients …`, built with drizzle from src/db/schema.ts
 * (scripts/admin/statements.ts), each change followed by its audit row (scripts/admin/audit.ts).
 * Times that verifiers compare with a token's `iat` (revoked_at, tokens_revoked_before, the
 * overlap's end) come from the database's clock (src/db/db-clock.ts), not the operator's machine:
 * a laptop whose clock is behind must not leave tokens issued before a rotation alive.
 */
import { and, eq, getTableColumns, isNull, type SQL, sql } from 'drizzle-orm';
import type { SQLiteUpdateSetSource } from 'drizzle-orm/sqlite-core';
import { clientSubject } from '../../../src/clients/subject.ts';
import { DB_NOW_MS, dbTimeAfter } from '../../../src/db/db-clock.ts';
import { type AuthEvent, authEvents, serviceClients } from '../../../src/db/schema.ts';
import type { AuthEventKind } from '../../../src/users/auth-events.ts';
import { byField, detailJson, insertAudit, recentEvents } from '../audit.ts';
import type { Batch, ChangeContext } from '../rows.ts';
import { batchOf, build } from '../statements.ts';
import type { Role, Uuid } from '../values.ts';
import type { Audience, ClientName } from './values.ts';

/** The audit kinds of the clients' changes: src/users/auth-events.ts's `admin_client_*` ones. */
type ClientKind = Extract<AuthEventKind, `admin_client_${string}`>;

// Every column but the secret hashes, which never leave the database.
const {
  secretHash: _secretHash,
  previousSecretHash: _previousSecretHash,
  ...CLIENT_FIELDS
} = getTableColumns(serviceClients);

const selectClient = (id: Uuid) => build.select(CLIENT_FIELDS).from(serviceClients).where(eq(serviceClients.id, id));

/** A client as the CLI reads it: the schema's row without the secret hashes. */
export type ClientRow = ReturnType<typeof selectClient>['_']['result'][number];

/**
 * The audit row of the change just before it (user_id: the subject `client:<id>`), written only if
 * that change touched a row. Its detail is `{}` when there is nothing to say (no --by, no fields).
 */
function auditClient(kind: ClientKind, id: Uuid, fields: Record<string, string | number | SQL>, ctx: ChangeContext) {
  const detail = detailJson({ ...fields, ...byField(ctx.by) }) ?? sql`json_object()`;
  return insertAudit(ctx, { kind, from: 'none', userId: clientSubject(id), detail, where: [] });
}

/** A JSON array of strings in an audit detail (`json_object` would quote its text). */
const jsonArray = (values: readonly string[]) => sql`json(${JSON.stringify(values)})`;

export interface NewClient {
  id: Uuid;
  name: ClientName;
  secretHash: string;
  audiences: Audience[];
  roles: Role[];
}

/** `clients create`: the row, its audit row, and the row as stored. */
export function createClient(client: NewClient, ctx: ChangeContext): Batch<ClientRow | undefined> {
  const { id, name, secretHash, audiences, roles } = client;
  return batchOf(
    [
      build.insert(serviceClients).values({ id, name, secretHash, audiences, roles, createdBy: ctx.by }),
      auditClient('admin_client_created', id, { name, audiences: jsonArray(audiences), roles: jsonArray(roles) }, ctx),
      selectClient(id),
    ],
    ([, , [row]]) => row,
  );
}

export function listClients(): Batch<ClientRow[]> {
  return batchOf(
    [build.select(CLIENT_FIELDS).from(serviceClients).orderBy(serviceClients.createdAt, serviceClients.id)],
    ([rows]) => rows,
  );
}

export interface ClientDetails {
  client: ClientRow | undefined;
  events: AuthEvent[];
}

/** `clients show`: the row and its last `eventLimit` audit events, newest first. */
export function showClient(id: Uuid, eventLimit = 20): Batch<ClientDetails> {
  return batchOf(
    [selectClient(id), recentEvents(eq(authEvents.userId, clientSubject(id)), eventLimit)],
    ([[client], events]) => ({ client, events }),
  );
}

export interface ChangeResult {
  /** The row after the change (undefined: no such client). */
  client: ClientRow | undefined;
  /** The audit row's id when the change happened, else null (unknown or revoked client). */
  auditId: string | null;
}

/** [the change (RETURNING), its audit row, the row after it]. A revoked client is changed no more. */
function changeClient(
  id: Uuid,
  set: SQLiteUpdateSetSource<typeof serviceClients>,
  kind: ClientKind,
  fields: Record<string, number>,
  ctx: ChangeContext,
): Batch<ChangeResult> {
  const change = build
    .update(serviceClients)
    .set(set)
    .where(and(eq(serviceClients.id, id), isNull(serviceClients.revokedAt)))
    .returning({ id: serviceClients.id });
  return batchOf([change, auditClient(kind, id, fields, ctx), selectClient(id)], ([, [audit], [client]]) => ({
    client,
    auditId: audit?.id ?? null,
  }));
}

/**
 * `clients rotate`: a new secret hash. With an overlap, the old hash stays valid that many seconds
 * (previous_secret_*); without, it is gone now and the client's tokens issued before now are
 * refused (tokens_revoked_before, which the revocation feed carries).
 */
export function rotateClient(id: Uuid, secretHash: string, overlapSeconds: number, ctx: ChangeContext) {
  const overlap = overlapSeconds > 0;
  const set: SQLiteUpdateSetSource<typeof serviceClients> = {
    secretHash,
    previousSecretHash: overlap ? serviceClients.secretHash : null,
    previousSecretExpiresAt: overlap ? dbTimeAfter(overlapSeconds * 1000) : null,
    ...(overlap ? {} : { tokensRevokedBefore: DB_NOW_MS }),
  };
  return changeClient(id, set, 'admin_client_rotated', { overlapSeconds }, ctx);
}

/** `clients revoke`: refused from now on; its tokens issued before now are refused through the feed. */
export function revokeClient(id: Uuid, ctx: ChangeContext) {
  const set = {
    revokedAt: DB_NOW_MS,
    tokensRevokedBefore: DB_NOW_MS,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
  };
  return changeClient(id, set, 'admin_client_revoked', {}, ctx);
}
