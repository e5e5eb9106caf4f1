/**
 * Service clients for the tests: made, rotated and revoked with `npm run admin -- clients …`'s own
 * commands (scripts/admin/clients), batch for batch against the Worker's D1, as wrangler runs them;
 * and the client-credentials request, sent either way (Basic or in the body).
 */
import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { executeClients } from '../../scripts/admin/clients/commands';
import type { ClientsCommand } from '../../scripts/admin/clients/invocation';
import type { Audience, ClientName } from '../../scripts/admin/clients/values';
import type { Rows } from '../../scripts/admin/rows';
import { parseUuid, type Role, type Uuid } from '../../scripts/admin/values';
import type { ApiFetch } from './sign-in-flow';
import { api } from './worker';

async function runInDb(statements: string[]): Promise<Rows[]> {
  const results = await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
  return results.map((r) => (r.results ?? []) as Rows);
}

/** Runs one `clients …` command as the CLI would (JSON output), with `secret` as the new secret when given. */
export async function clientsAdmin(command: ClientsCommand, secret?: string) {
  const output = await executeClients(
    { command, json: true, by: 'ops@example.test' as never, wranglerFlags: [] },
    {
      run: runInDb,
      now: () => Date.now(),
      newId: () => parseUuid(crypto.randomUUID()) as Uuid,
      operator: () => null,
      ...(secret ? { newSecret: () => secret } : {}),
    },
  );
  if (output.code !== 0) throw new Error(`clients ${command.name}: ${output.stderr}`);
  return JSON.parse(output.stdout) as Record<string, unknown> & { secret?: string; id?: string };
}

export interface TestClient {
  id: Uuid;
  secret: string;
}

/** `clients create NAME --audience … --role …`. */
export async function createClient(
  options: { name?: string; audiences: string[]; roles?: string[] } = { audiences: ['reports'] },
): Promise<TestClient> {
  const created = await clientsAdmin({
    name: 'clients create',
    clientName: (options.name ?? 'test client') as ClientName,
    audiences: options.audiences as Audience[],
    roles: (options.roles ?? []) as Role[],
  });
  return { id: created.id as Uuid, secret: created.secret as string };
}

export async function rotateClient(id: Uuid, overlapSeconds = 0): Promise<string> {
  return (await clientsAdmin({ name: 'clients rotate', id, overlapSeconds })).secret as string;
}

export async function revokeClient(id: Uuid): Promise<void> {
  await clientsAdmin({ name: 'clients revoke', id });
}

/** RFC 6749 §2.3.1: the form-encoded id and secret, as Basic's user and password. */
export function basicAuthorization(id: string, secret: string): string {
  const form = (text: string) => new URLSearchParams({ x: text }).toString().slice(2);
  return `Basic ${btoa(`${form(id)}:${form(secret)}`)}`;
}

export interface GrantOptions {
  via?: 'basic' | 'post';
  audience?: string;
  /** More form fields (or overrides). */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  fetcher?: ApiFetch;
}

/** POST /auth/token grant_type=client_credentials. */
export function requestClientToken(client: TestClient, options: GrantOptions = {}): Promise<Response> {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (options.audience !== undefined) form.set('audience', options.audience);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if ((options.via ?? 'basic') === 'basic') headers.authorization = basicAuthorization(client.id, client.secret);
  else {
    form.set('client_id', client.id);
    form.set('client_secret', client.secret);
  }
  for (const [name, value] of Object.entries(options.form ?? {})) form.set(name, value);
  return (options.fetcher ?? api)('/auth/token', {
    method: 'POST',
    headers: { ...headers, ...options.headers },
    body: form.toString(),
  });
}

/** The access token of a successful grant (asserting 200). */
export async function clientToken(client: TestClient, options: GrantOptions = {}): Promise<string> {
  const res = await requestClientToken(client, options);
  if (res.status !== 200) throw new Error(`grant answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The RFC 6749 §5.2 error body. */
export async function oauthError(res: Response): Promise<{ status: number; error: string }> {
  const body = (await res.json()) as { error: string; error_description: string };
  expect(typeof body.error_description).toBe('string');
  return { status: res.status, error: body.error };
}
