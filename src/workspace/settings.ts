// The Workspace link's settings (docs/workspace.md), parsed for src/config/config.ts: off unless
// GOOGLE_SERVICE_ACCOUNT is set; then every other setting is checked once per isolate.
import { asciiLowerCase, normalizeAddress } from '../access/address';
import { ConfigError } from '../config/config-error';
import { parseRoleTable } from '../config/role-table';

/** The raw settings, as wrangler vars and secrets supply them. */
export interface WorkspaceEnv {
  /** Secret: the service account's JSON key file, as downloaded from the Google Cloud console. */
  GOOGLE_SERVICE_ACCOUNT?: string;
  /** A super administrator (or an admin with the Users and Groups read privileges) the service account acts as. */
  GOOGLE_WORKSPACE_ADMIN?: string;
  /** Comma-separated domains whose users the link offboards (their `hd`); default: the admin's domain. */
  GOOGLE_WORKSPACE_DOMAIN?: string;
  /** The Workspace customer id (`C0…`); default `my_customer`, the admin's own. */
  GOOGLE_WORKSPACE_CUSTOMER?: string;
  /** JSON: Google group address -> roles its members hold, e.g. {"admins@example.com": ["admin"]}. */
  GROUP_ROLES?: string;
  /** Overrides for tests and local development only (the doctor refuses them in production). */
  GOOGLE_API_BASE?: string;
  GOOGLE_TOKEN_URL?: string;
}

export interface ServiceAccount {
  clientEmail: string;
  /** PKCS#8 PEM, as in the key file. */
  privateKey: string;
  /** The key's id (`private_key_id`), sent as the assertion's `kid`. */
  keyId: string | undefined;
}

export interface WorkspaceLink {
  serviceAccount: ServiceAccount;
  /** The subject the service account impersonates (domain-wide delegation), lower-cased. */
  admin: string;
  /** Users whose Google `hd` is one of these are offboarded when the Directory says so. */
  domains: ReadonlySet<string>;
  customer: string;
  /** Group address (lower-cased) -> the roles its members (direct or nested) hold. */
  groupRoles: ReadonlyMap<string, readonly string[]>;
  /** Origin (and path prefix) of the Admin SDK, without a trailing slash. */
  apiBase: string;
  tokenUrl: string;
}

export const GOOGLE_API_BASE = 'https://admin.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

const EMAIL = /^[^\s@,]+@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const DOMAIN = /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;
const CUSTOMER = /^(my_customer|C[0-9a-z]{5,20})$/;

function parseServiceAccount(raw: string): ServiceAccount {
  let key: unknown;
  try {
    key = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      'GOOGLE_SERVICE_ACCOUNT is not JSON: set it to the whole key file of the service account (docs/workspace.md)',
    );
  }
  const { type, client_email, private_key, private_key_id } = (key ?? {}) as Record<string, unknown>;
  if (type !== 'service_account' || typeof client_email !== 'string' || !client_email.includes('@')) {
    throw new ConfigError(
      'GOOGLE_SERVICE_ACCOUNT is not a service account key file (no "type": "service_account" and "client_email"): create a JSON key for the service account (docs/workspace.md)',
    );
  }
  if (typeof private_key !== 'string' || !private_key.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new ConfigError(
      'GOOGLE_SERVICE_ACCOUNT has no "private_key" in PKCS#8 PEM: create a new JSON key (not P12) for the service account',
    );
  }
  return {
    clientEmail: client_email,
    privateKey: private_key,
    keyId: typeof private_key_id === 'string' ? private_key_id : undefined,
  };
}

function parseUrl(name: string, value: string | undefined, fallback: string): string {
  const raw = value?.trim();
  if (!raw) return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} '${raw}' is not a URL; leave it unset in production`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`${name} must be an http(s) URL`);
  return url.href.replace(/\/$/, '');
}

/** GROUP_ROLES: a JSON object (or a TOML table, which wrangler binds as an object) of group address -> roles. */
export function parseGroupRoles(raw: unknown): Map<string, readonly string[]> {
  const groups = new Map<string, readonly string[]>();
  for (const [key, roles] of parseRoleTable('GROUP_ROLES', raw, '{"admins@example.com": ["admin"]}')) {
    const group = normalizeAddress(key.trim());
    if (!EMAIL.test(group)) {
      throw new ConfigError(`GROUP_ROLES key '${key}' must be a Google group's address, like admins@example.com`);
    }
    groups.set(group, roles);
  }
  return groups;
}

/** The link, or undefined when GOOGLE_SERVICE_ACCOUNT is unset (then GROUP_ROLES and the admin must be too). */
export function parseWorkspaceLink(env: WorkspaceEnv): WorkspaceLink | undefined {
  const secret = env.GOOGLE_SERVICE_ACCOUNT?.trim();
  const groupRoles = parseGroupRoles(env.GROUP_ROLES);
  if (!secret) {
    const stray = (['GOOGLE_WORKSPACE_ADMIN', 'GOOGLE_WORKSPACE_DOMAIN'] as const).find((n) => env[n]?.trim());
    if (stray || groupRoles.size > 0) {
      throw new ConfigError(
        `${stray ?? 'GROUP_ROLES'} is set but the secret GOOGLE_SERVICE_ACCOUNT is not: the Workspace link needs a service account (docs/workspace.md)`,
      );
    }
    return undefined;
  }
  const serviceAccount = parseServiceAccount(secret);
  const admin = normalizeAddress(env.GOOGLE_WORKSPACE_ADMIN?.trim() ?? '');
  if (!EMAIL.test(admin)) {
    throw new ConfigError(
      `GOOGLE_WORKSPACE_ADMIN '${admin}' must be the address of a Workspace administrator the service account acts as`,
    );
  }
  const domains = (env.GOOGLE_WORKSPACE_DOMAIN?.trim() || admin.slice(admin.lastIndexOf('@') + 1))
    .split(',')
    .map((d) => asciiLowerCase(d.trim()))
    .filter(Boolean);
  for (const domain of domains) {
    if (!DOMAIN.test(domain)) {
      throw new ConfigError(`GOOGLE_WORKSPACE_DOMAIN entry '${domain}' must be a domain like example.com`);
    }
  }
  const customer = env.GOOGLE_WORKSPACE_CUSTOMER?.trim() || 'my_customer';
  if (!CUSTOMER.test(customer)) {
    throw new ConfigError(
      `GOOGLE_WORKSPACE_CUSTOMER '${customer}' must be my_customer or a customer id like C01abc23d (Admin console, Account settings)`,
    );
  }
  return {
    serviceAccount,
    admin,
    domains: new Set(domains),
    customer,
    groupRoles,
    apiBase: parseUrl('GOOGLE_API_BASE', env.GOOGLE_API_BASE, GOOGLE_API_BASE),
    tokenUrl: parseUrl('GOOGLE_TOKEN_URL', env.GOOGLE_TOKEN_URL, GOOGLE_TOKEN_URL),
  };
}
