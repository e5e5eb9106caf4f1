/**
 * What each `npm run admin -- clients …` command does: one D1 batch (batches.ts), then its output.
 * No Node imports: test/client-tokens.test.ts runs these against the Worker's D1.
 */

import { hashClientSecret, newClientSecret } from '../../../src/clients/secret.ts';
import { clientSubject } from '../../../src/clients/subject.ts';
import type { AuthEvent } from '../../../src/db/schema.ts';
import { type Column, formatFields, formatTable, isoTime, shortTime } from '../format.ts';
import type { Invocation } from '../invocation.ts';
import { type Deps, done, failed, type Output, run } from '../outcome.ts';
import type { ChangeContext } from '../rows.ts';
import { type ClientRow, createClient, listClients, revokeClient, rotateClient, showClient } from './batches.ts';
import type { ClientsCommand } from './invocation.ts';

/** How soon verifiers refuse a revoked client's tokens: the feed reads D1 (src/revocation/d1-scan.ts). */
const FEED_NOTE =
  'within REVOCATION_POLL + 1 s (about 6 s by default) everywhere that polls the revocation feed; within ACCESS_TOKEN_TTL if the feed is unreachable';

function status(c: ClientRow): string {
  return c.revokedAt === null ? 'active' : `revoked ${shortTime(c.revokedAt)}`;
}

function clientJson(c: ClientRow) {
  return {
    id: c.id,
    name: c.name,
    subject: clientSubject(c.id),
    audiences: c.audiences,
    roles: c.roles,
    createdAt: isoTime(c.createdAt),
    createdBy: c.createdBy,
    lastUsedAt: isoTime(c.lastUsedAt),
    revokedAt: isoTime(c.revokedAt),
    previousSecretValidUntil: isoTime(c.previousSecretExpiresAt),
    tokensRevokedBefore: isoTime(c.tokensRevokedBefore),
  };
}

const LIST_COLUMNS: Column<ClientRow>[] = [
  { header: 'NAME', value: (c) => c.name, max: 30 },
  { header: 'AUDIENCES', value: (c) => c.audiences.join(', '), max: 50 },
  { header: 'ROLES', value: (c) => c.roles.join(', ') },
  { header: 'STATUS', value: status },
  { header: 'LAST USED', value: (c) => shortTime(c.lastUsedAt) },
  { header: 'ID', value: (c) => c.id },
];

const EVENT_COLUMNS: Column<AuthEvent>[] = [
  { header: 'TIME', value: (e) => shortTime(e.createdAt) },
  { header: 'KIND', value: (e) => e.kind },
  { header: 'DETAIL', value: (e) => e.detail, max: 100 },
];

/** The one curl call that gets a token, as the operator can paste it into a job. */
export function curlExample(tokenEndpoint: string, id: string, secret: string, audience: string): string {
  // An audience may hold any printable ASCII, a `'` included: single-quoted for the shell, `'` as '\''.
  const quoted = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  return `curl -s -u ${quoted(`${id}:${secret}`)} -d grant_type=client_credentials -d ${quoted(`audience=${audience}`)} ${tokenEndpoint}`;
}

export async function executeClients(invocation: Invocation<ClientsCommand>, deps: Deps): Promise<Output> {
  const { command, json } = invocation;
  const print = (data: unknown, text: string) => done(json ? JSON.stringify(data, null, 2) : text);
  const context = (): ChangeContext => ({
    now: deps.now(),
    auditId: deps.newId(),
    by: invocation.by ?? deps.operator(),
  });
  const tokenEndpoint = `${deps.issuer ?? 'https://api.example.com'}/auth/token`;

  switch (command.name) {
    case 'clients create': {
      const secret = (deps.newSecret ?? newClientSecret)();
      const id = deps.newId();
      const ctx = context();
      const batch = createClient(
        {
          id,
          name: command.clientName,
          secretHash: await hashClientSecret(secret),
          audiences: command.audiences,
          roles: command.roles,
        },
        ctx,
      );
      const row = await run(deps, batch);
      if (!row) return failed(`the client ${id} was not found after it was created`);
      const unknown = deps.knownAudiences ? command.audiences.filter((a) => !deps.knownAudiences?.includes(a)) : [];
      const warning = unknown.length
        ? `warning: ${unknown.join(', ')} is not in TOKEN_AUDIENCES (nor AUTH_URL) of this wrangler config: the grant refuses it (invalid_target) until it is`
        : '';
      const curl = curlExample(tokenEndpoint, id, secret, command.audiences[0] as string);
      const text = [
        `Created service client ${row.name} (id ${id}), roles ${row.roles.join(', ') || 'none'}.`,
        '',
        'Its secret, shown this once (only its SHA-256 is kept; keep it in your job’s secret store):',
        '',
        `  ${secret}`,
        '',
        'Get an access token (client_credentials, HTTP Basic), valid ACCESS_TOKEN_TTL seconds:',
        '',
        `  ${curl}`,
        '',
        `Its tokens: sub client:${id}, aud the audience asked for. Sibling APIs accept them with the kit's allowClients: true (docs/clients.md).`,
      ].join('\n');
      const data = { ...clientJson(row), secret, tokenEndpoint, curl, auditEventId: ctx.auditId };
      return { ...print(data, text), stderr: warning };
    }

    case 'clients list': {
      const rows = await run(deps, listClients());
      return print(rows.map(clientJson), formatTable(LIST_COLUMNS, rows));
    }

    case 'clients show': {
      const details = await run(deps, showClient(command.id));
      const { client, events } = details;
      if (!client) return failed(`no service client with id ${command.id}`);
      const data = {
        client: clientJson(client),
        events: events.map((e) => ({ id: e.id, kind: e.kind, detail: e.detail, createdAt: isoTime(e.createdAt) })),
      };
      const fields = formatFields([
        ['id', client.id],
        ['name', client.name],
        ['subject', clientSubject(client.id)],
        ['audiences', client.audiences.join(', ')],
        ['roles', client.roles.join(', ') || null],
        ['status', status(client)],
        ['created', `${shortTime(client.createdAt)}${client.createdBy ? ` by ${client.createdBy}` : ''}`],
        ['last used', shortTime(client.lastUsedAt)],
        ['old secret valid until', shortTime(client.previousSecretExpiresAt)],
        ['tokens refused before', shortTime(client.tokensRevokedBefore)],
      ]);
      const text = `${fields}\n\nLast ${events.length} event(s), newest first\n${formatTable(EVENT_COLUMNS, events)}`;
      return print(data, text);
    }

    case 'clients rotate': {
      const secret = (deps.newSecret ?? newClientSecret)();
      const hash = await hashClientSecret(secret);
      const result = await run(deps, rotateClient(command.id, hash, command.overlapSeconds, context()));
      if (!result.client) return failed(`no service client with id ${command.id}`);
      if (result.auditId === null) {
        return failed(`the service client ${command.id} is revoked: a revoked client stays revoked (create a new one)`);
      }
      const until = result.client.previousSecretExpiresAt;
      const old =
        command.overlapSeconds > 0
          ? `The old secret stays valid until ${shortTime(until)} (${command.overlapSeconds} s); tokens it got live out their ACCESS_TOKEN_TTL.`
          : `The old secret is refused now, and so are the tokens it got: ${FEED_NOTE}.`;
      const text = [
        `Rotated the secret of ${result.client.name} (id ${command.id}). The new secret, shown this once:`,
        '',
        `  ${secret}`,
        '',
        old,
      ].join('\n');
      const data = {
        client: clientJson(result.client),
        secret,
        overlapSeconds: command.overlapSeconds,
        auditEventId: result.auditId,
      };
      return print(data, text);
    }

    case 'clients revoke': {
      const result = await run(deps, revokeClient(command.id, context()));
      if (!result.client) return failed(`no service client with id ${command.id}`);
      const changed = result.auditId !== null;
      const text = changed
        ? `Revoked ${result.client.name} (id ${command.id}): it gets no new token (invalid_client), and its tokens are refused ${FEED_NOTE} (401 session_revoked).`
        : `${result.client.name} (id ${command.id}) is already revoked (since ${shortTime(result.client.revokedAt)}): nothing changed.`;
      return print({ changed, client: clientJson(result.client), auditEventId: result.auditId }, text);
    }
  }
}
