import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { inject } from 'vitest';
import type { StandInUser, Tenant } from '../../scripts/google-directory-model';
import worker from '../../src';

export const USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
export const GROUP_SCOPE = 'https://www.googleapis.com/auth/admin.directory.group.member.readonly';

/**
 * One Google Workspace customer on the Directory stand-in (scripts/google-directory-server.ts),
 * with its own service account (a fresh RSA key) and domain, so test files never share state.
 * `vars` configure the Workspace link against it; change `state` and `save()` to change Google.
 */
export interface GoogleTenant {
  domain: string;
  admin: string;
  clientEmail: string;
  /** The service account's key file (GOOGLE_SERVICE_ACCOUNT). */
  keyFile: string;
  vars: Record<string, string>;
  state: Tenant;
  save(): Promise<void>;
  /** What the stand-in was asked, in order (`POST /token …`, `GET /admin/…`). */
  requests(): Promise<string[]>;
}

export const standIn = () => inject('googleDirectory');

export async function googleTenant(options: {
  domain: string;
  users?: StandInUser[];
  groups?: Record<string, string[]>;
  groupRoles?: Record<string, string[]>;
  scopes?: string[];
}): Promise<GoogleTenant> {
  const { domain } = options;
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  const clientEmail = `sitewide-${crypto.randomUUID().slice(0, 8)}@project.iam.gserviceaccount.com`;
  const admin = `admin@${domain}`;
  const keyFile = JSON.stringify({
    type: 'service_account',
    project_id: 'project',
    private_key_id: crypto.randomUUID().replaceAll('-', ''),
    private_key: await exportPKCS8(privateKey),
    client_email: clientEmail,
    client_id: '123456789012345678901',
    token_uri: 'https://oauth2.googleapis.com/token',
  });
  const base = standIn();
  const state: Tenant = {
    publicJwk: { ...(await exportJWK(publicKey)), alg: 'RS256' },
    delegatedScopes: options.scopes ?? [USER_SCOPE, GROUP_SCOPE],
    customerId: 'C0test123',
    users: [{ id: `admin-${domain}`, primaryEmail: admin, name: 'Admin' }, ...(options.users ?? [])],
    groups: options.groups ?? {},
  };
  const tenant: GoogleTenant = {
    domain,
    admin,
    clientEmail,
    keyFile,
    vars: {
      GOOGLE_SERVICE_ACCOUNT: keyFile,
      GOOGLE_WORKSPACE_ADMIN: admin,
      GOOGLE_API_BASE: base,
      GOOGLE_TOKEN_URL: `${base}/token`,
      ...(options.groupRoles ? { GROUP_ROLES: JSON.stringify(options.groupRoles) } : {}),
    },
    state,
    async save() {
      const res = await fetch(`${base}/_control/tenants/${encodeURIComponent(clientEmail)}`, {
        method: 'PUT',
        body: JSON.stringify(state),
      });
      if (res.status !== 204) throw new Error(`the stand-in refused the tenant: ${res.status}`);
    },
    async requests() {
      return (await (
        await fetch(`${base}/_control/tenants/${encodeURIComponent(clientEmail)}/requests`)
      ).json()) as string[];
    },
  };
  await tenant.save();
  return tenant;
}

/** Runs the Worker's Cron Trigger handler, as Cloudflare would, with these vars over the test env. */
export async function runCron(vars: Record<string, string>): Promise<void> {
  const controller = createScheduledController({ scheduledTime: new Date(), cron: '*/5 * * * *' });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, { ...env, ...vars } as Env, ctx);
  await waitOnExecutionContext(ctx);
}
