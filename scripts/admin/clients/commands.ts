/**
 * What each `npm run admin -- clients …` command does: one D1 batch (scripts/admin/clients/sql.ts),
 * then its output. No Node imports: test/client-tokens.test.ts runs these against the Worker's D1.
 */
import { hashClientSecret, newClientSecret } from '../../../src/clients/secret.ts';
import { clientSubject } from '../../../src/clients/subject.ts';
import { type Column, formatFields, formatTable, isoTime, shortTime } from '../format.ts';
import type { ChangeContext, RunD1 } from '../rows.ts';
import type { Actor, Uuid } from '../values.ts';
import type { ClientsInvocation } from './invocation.ts';
import { type ClientEventRow, type ClientRow, stringList } from './rows.ts';
import { createClient, listClients, revokeClient, rotateClient, showClient } from './sql.ts';

export interface ClientsDeps {
  run: RunD1;
  now(): number;
  newId(): Uuid;
  operator(): Actor | null;
  /** A new secret (tests pass a known one). */
  newSecret?: () => string;
  /** AUTH_URL of the wrangler config and environment: the token endpoint in the printed example. */
  issuer?: string;
  /** TOKEN_AUDIENCES (and AUTH_URL) of that config: an audience outside them gets a warning. */
  knownAudiences?: readonly string[];
}

export interface Output {
  code: 0 | 1;
  stdout: string;
  stderr: string;
}

/** How soon verifiers refuse a revoked client's tokens: the feed reads D1 (src/revocation/d1-scan.ts). */
const FEED_NOTE =
  'within REVOCATION_POLL + 1 s (about 6 s by default) everywhere that polls the revocation feed; within ACCESS_TOKEN_TTL if the feed is unreachable';

const failed = (stderr: string): Output => ({ code: 1, stdout: '', stderr });

function status(c: ClientRow): string {
  return c.revoked_at === null ? 'active' : `revoked ${shortTime(c.revoked_at)}`;
}

function clientJson(c: ClientRow) {
  return {
    id: c.id,
    name: c.name,
    subject: clientSubject(c.id),
    audiences: stringList(c.audiences),
    roles: stringList(c.roles),
    createdAt: isoTime(c.created_at),
    createdBy: c.created_by,
    lastUsedAt: isoTime(c.last_used_at),
    revokedAt: isoTime(c.revoked_at),
    previousSecretValidUntil: isoTime(c.previous_secret_expires_at),
    tokensRevokedBefore: isoTime(c.tokens_revoked_before),
  };
}

const LIST_COLUMNS: Column<ClientRow>[] = [
  { header: 'NAME', value: (c) => c.name, max: 30 },
  { header: 'AUDIENCES', value: (c) => stringList(c.audiences).join(', '), max: 50 },
  { header: 'ROLES', value: (c) => stringList(c.roles).join(', ') },
  { header: 'STATUS', value: status },
  { header: 'LAST USED', value: (c) => shortTime(c.last_used_at) },
  { header: 'ID', value: (c) => c.id },
];

const EVENT_COLUMNS: Column<ClientEventRow>[] = [
  { header: 'TIME', value: (e) => shortTime(e.created_at) },
  { header: 'KIND', value: (e) => e.kind },
  { header: 'DETAIL', value: (e) => e.detail, max: 100 },
];

/** The one curl call that gets a token, as the operator can paste it into a job. */
export function curlExample(tokenEndpoint: string, id: string, secret: string, audience: string): string {
  return `curl -s -u '${id}:${secret}' -d grant_type=client_credentials -d 'audience=${audience}' ${tokenEndpoint}`;
}

export async function executeClients(invocation: ClientsInvocation, deps: ClientsDeps): Promise<Output> {
  const { command, json } = invocation;
  const print = (data: unknown, text: string): Output => ({
    code: 0,
    stdout: json ? JSON.stringify(data, null, 2) : text,
    stderr: '',
  });
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
      const row = batch.read(await deps.run(batch.statements));
      if (!row) return failed(`the client ${id} was not found after it was created`);
      const unknown = deps.knownAudiences ? command.audiences.filter((a) => !deps.knownAudiences?.includes(a)) : [];
      const warning = unknown.length
        ? `warning: ${unknown.join(', ')} is not in TOKEN_AUDIENCES (nor AUTH_URL) of this wrangler config: the grant refuses it (invalid_target) until it is`
        : '';
      const curl = curlExample(tokenEndpoint, id, secret, command.audiences[0] as string);
      const text = [
        `Created service client ${row.name} (id ${id}), roles ${stringList(row.roles).join(', ') || 'none'}.`,
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
      const rows = (await runBatch(deps, listClients())) as ClientRow[];
      return print(rows.map(clientJson), formatTable(LIST_COLUMNS, rows));
    }

    case 'clients show': {
      const details = await runBatch(deps, showClient(command.id));
      const { client, events } = details;
      if (!client) return failed(`no service client with id ${command.id}`);
      const data = {
        client: clientJson(client),
        events: events.map((e) => ({ id: e.id, kind: e.kind, detail: e.detail, createdAt: isoTime(e.created_at) })),
      };
      const fields = formatFields([
        ['id', client.id],
        ['name', client.name],
        ['subject', clientSubject(client.id)],
        ['audiences', stringList(client.audiences).join(', ')],
        ['roles', stringList(client.roles).join(', ') || null],
        ['status', status(client)],
        ['created', `${shortTime(client.created_at)}${client.created_by ? ` by ${client.created_by}` : ''}`],
        ['last used', shortTime(client.last_used_at)],
        ['old secret valid until', shortTime(client.previous_secret_expires_at)],
        ['tokens refused before', shortTime(client.tokens_revoked_before)],
      ]);
      const text = `${fields}\n\nLast ${events.length} event(s), newest first\n${formatTable(EVENT_COLUMNS, events)}`;
      return print(data, text);
    }

    case 'clients rotate': {
      const secret = (deps.newSecret ?? newClientSecret)();
      const result = await runBatch(
        deps,
        rotateClient(command.id, await hashClientSecret(secret), command.overlapSeconds, context()),
      );
      if (!result.client) return failed(`no service client with id ${command.id}`);
      if (result.auditId === null) {
        return failed(`the service client ${command.id} is revoked: a revoked client stays revoked (create a new one)`);
      }
      const until = result.client.previous_secret_expires_at;
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
      const result = await runBatch(deps, revokeClient(command.id, context()));
      if (!result.client) return failed(`no service client with id ${command.id}`);
      const changed = result.auditId !== null;
      const text = changed
        ? `Revoked ${result.client.name} (id ${command.id}): it gets no new token (invalid_client), and its tokens are refused ${FEED_NOTE} (401 session_revoked).`
        : `${result.client.name} (id ${command.id}) is already revoked (since ${shortTime(result.client.revoked_at)}): nothing changed.`;
      return print({ changed, client: clientJson(result.client), auditEventId: result.auditId }, text);
    }
  }
}

async function runBatch<T>(
  deps: ClientsDeps,
  batch: { statements: string[]; read(results: Awaited<ReturnType<RunD1>>): T },
) {
  return batch.read(await deps.run(batch.statements));
}
