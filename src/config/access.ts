// Who may sign in and who may reach which app, as configured: ALLOWED_EMAIL_DOMAINS, ALLOWED_EMAILS
// (access/admission) and APP_ACCESS (access/app-access), parsed for src/config/config.ts.

import { asciiLowerCase, normalizeAddress } from '../access/address';
import type { AdmissionPolicy } from '../access/admission';
import type { AppAccess } from '../access/app-access';
import { ConfigError } from './config-error';
import { isPublicSuffix } from './domain-rules';
import type { ConfigEnv } from './env';
import { parseRoleTable } from './role-table';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** A comma-separated list, each entry trimmed and normalised (A–Z lower-cased; addresses also NFC: access/address). */
function listOf(env: ConfigEnv, name: 'ALLOWED_EMAIL_DOMAINS' | 'ALLOWED_EMAILS'): string[] {
  const normalise = name === 'ALLOWED_EMAILS' ? normalizeAddress : asciiLowerCase;
  return [
    ...new Set(
      (env[name] ?? '')
        .split(',')
        .map((s) => normalise(s.trim()))
        .filter(Boolean),
    ),
  ];
}

export function parseAdmission(env: ConfigEnv): AdmissionPolicy {
  const domains = listOf(env, 'ALLOWED_EMAIL_DOMAINS');
  for (const domain of domains) {
    if (!DOMAIN.test(domain)) {
      throw new ConfigError(
        `ALLOWED_EMAIL_DOMAINS entry '${domain}' must be a domain like example.com (no @, no scheme, no wildcard)`,
      );
    }
    if (isPublicSuffix(domain)) {
      throw new ConfigError(
        `ALLOWED_EMAIL_DOMAINS entry '${domain}' is a public suffix, not one organisation's domain`,
      );
    }
  }
  const emails = listOf(env, 'ALLOWED_EMAILS');
  for (const email of emails) {
    const at = email.lastIndexOf('@');
    if (at < 1 || email.indexOf('@') !== at || !DOMAIN.test(email.slice(at + 1)) || /\s/.test(email)) {
      throw new ConfigError(`ALLOWED_EMAILS entry '${email}' must be one email address like ada@example.com`);
    }
  }
  return { domains, emails: new Set(emails) };
}

export function parseAppAccess(env: ConfigEnv, known: ReadonlySet<string>): AppAccess {
  const access = new Map<string, readonly string[]>();
  for (const [key, roles] of parseRoleTable('APP_ACCESS', env.APP_ACCESS, '{"https://admin.example.com": ["admin"]}')) {
    if (!known.has(key)) {
      throw new ConfigError(
        `APP_ACCESS key '${key}' is not the API origin, an ALLOWED_ORIGINS origin or a TOKEN_AUDIENCES audience; known: ${[...known].join(', ')}`,
      );
    }
    access.set(key, roles);
  }
  return access;
}
