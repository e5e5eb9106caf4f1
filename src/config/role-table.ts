import { ROLE_NAME } from '../access/role-name';
import { ConfigError } from './config-error';

/**
 * A setting that maps keys to roles (APP_ACCESS, GROUP_ROLES): JSON text, or a TOML table (which
 * wrangler binds as an object). Every value must list at least one valid role name (access/role-name);
 * the keys are the caller's to check. Empty or unset: no entries.
 *
 * @example parseRoleTable('GROUP_ROLES', env.GROUP_ROLES, '{"admins@example.com": ["admin"]}')
 */
export function parseRoleTable(name: string, raw: unknown, example: string): Array<[string, readonly string[]]> {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return [];
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigError(`${name} is not JSON; expected e.g. ${example}`);
    }
  }
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${name} must be a JSON object, e.g. ${example}`);
  }
  return Object.entries(value).map(([key, roles]) => {
    if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => typeof r !== 'string' || !ROLE_NAME.test(r))) {
      throw new ConfigError(
        `${name} '${key}' must list at least one role name (lower-case letters, digits, _ . : -, starting with a letter, at most 64), e.g. ["admin"]`,
      );
    }
    return [key, Object.freeze([...new Set(roles as string[])])];
  });
}
