// GATES: the hosts the Worker gates (docs/gate.md), parsed and checked for src/config/config.ts.

import type { AppAccess } from '../access/app-access';
import { ROLE_NAME } from '../access/role-name';
import { ConfigError } from '../config/config-error';
import { isLocalhost, isWithinDomain } from '../config/domain-rules';
import { type PublicPaths, parsePublicPaths } from './public-paths';

/** Which names the identity headers go by at the origin. */
export type GateHeaderNames = 'sitewide' | 'cloudflare-access';

/** One gated origin, as the gate runs it. */
export interface Gate {
  /** The gated origin (the key of GATES), e.g. `https://wiki.example.com`: the assertion's `aud`. */
  origin: string;
  /** Its host (with the port when not the default), e.g. `wiki.example.com`. */
  host: string;
  /** Any one of these roles lets a user in; undefined: every signed-in user. */
  roles: readonly string[] | undefined;
  /** Paths that pass without a session (nothing is checked or added there). */
  publicPaths: PublicPaths;
  /** Where requests go, e.g. `https://wiki-origin.example.com`; undefined: the request's own URL (the route's origin). */
  upstream: string | undefined;
  headers: GateHeaderNames;
}

/** GATES: gated origin → its gate. */
export type Gates = ReadonlyMap<string, Gate>;

/** A GATES entry before APP_ACCESS is known (its roles default to APP_ACCESS's entry for the origin). */
type ParsedGate = Omit<Gate, 'roles'> & { roles: readonly string[] | undefined };

const KEYS = new Set(['roles', 'public', 'origin', 'headers']);
const EXAMPLE = `{"https://wiki.example.com": {"roles": ["staff"], "public": ["/healthz"]}}`;

/**
 * Reads GATES (JSON text, or the object wrangler binds for a TOML table): each
 * key a bare origin, https (http only for localhost), inside COOKIE_DOMAIN,
 * not the API's; each value `{ roles?, public?, origin?, headers? }` and nothing else.
 */
export function parseGates(raw: unknown, site: { apiOrigin: string; cookieDomain: string }): Map<string, ParsedGate> {
  let value: unknown = raw;
  if (typeof raw === 'string') {
    if (!raw.trim()) return new Map();
    try {
      value = JSON.parse(raw);
    } catch {
      throw new ConfigError(`GATES is not JSON; expected e.g. ${EXAMPLE}`);
    }
  }
  if (value === undefined || value === null) return new Map();
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`GATES must be a JSON object of gated origins, e.g. ${EXAMPLE}`);
  }
  const gates = new Map<string, ParsedGate>();
  for (const [key, entry] of Object.entries(value)) {
    const origin = gatedOrigin(key, site);
    gates.set(origin, parseEntry(origin, entry, site.apiOrigin));
  }
  for (const gate of gates.values()) {
    if (gate.upstream && gates.has(gate.upstream)) {
      throw new ConfigError(
        `GATES '${gate.origin}' origin '${gate.upstream}' is itself gated: forward to the app's own address`,
      );
    }
  }
  return gates;
}

/** The gates with their roles decided: the entry's own, else APP_ACCESS's for the origin, else none. */
export function withDefaultRoles(parsed: ReadonlyMap<string, ParsedGate>, appAccess: AppAccess): Gates {
  const gates = new Map<string, Gate>();
  for (const [origin, gate] of parsed) {
    gates.set(origin, Object.freeze({ ...gate, roles: gate.roles ?? appAccess.get(origin) }));
  }
  return gates;
}

function originOf(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} '${value}' is not a URL; expected e.g. https://wiki.example.com`);
  }
  if (url.origin !== value.replace(/\/$/, '') || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigError(`${name} '${value}' must be a bare http(s) origin like https://wiki.example.com (no path)`);
  }
  if (url.protocol !== 'https:' && !isLocalhost(url.hostname)) {
    throw new ConfigError(`${name} '${value}' must be https (plain http is only for localhost)`);
  }
  return url;
}

function gatedOrigin(key: string, site: { apiOrigin: string; cookieDomain: string }): string {
  const url = originOf('GATES key', key);
  if (!isLocalhost(url.hostname) && !isWithinDomain(url.hostname, site.cookieDomain)) {
    throw new ConfigError(
      `GATES key '${key}' is outside COOKIE_DOMAIN '${site.cookieDomain}': the session cookie never reaches it`,
    );
  }
  if (url.origin === site.apiOrigin) throw new ConfigError(`GATES key '${key}' is the API itself (AUTH_URL)`);
  return url.origin;
}

function parseEntry(origin: string, entry: unknown, apiOrigin: string): ParsedGate {
  const where = `GATES '${origin}'`;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(
      `${where} must be an object: { "roles"?, "public"?, "origin"?, "headers"? } ({} for defaults)`,
    );
  }
  const fields = entry as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!KEYS.has(key)) throw new ConfigError(`${where} has an unknown field '${key}'; known: ${[...KEYS].join(', ')}`);
  }
  return {
    origin,
    host: new URL(origin).host,
    roles: parseRoles(where, fields.roles),
    publicPaths: parsePublicPaths(where, fields.public),
    upstream: parseUpstream(where, fields.origin, apiOrigin),
    headers: parseHeaderNames(where, fields.headers),
  };
}

function parseRoles(where: string, roles: unknown): readonly string[] | undefined {
  if (roles === undefined) return undefined;
  if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => typeof r !== 'string' || !ROLE_NAME.test(r))) {
    throw new ConfigError(
      `${where} roles must list at least one role name (lower-case letters, digits, _ . : -, starting with a letter), e.g. ["staff"]; leave it out to let every signed-in user in`,
    );
  }
  return Object.freeze([...new Set(roles as string[])]);
}

function parseUpstream(where: string, upstream: unknown, apiOrigin: string): string | undefined {
  if (upstream === undefined) return undefined;
  if (typeof upstream !== 'string')
    throw new ConfigError(`${where} origin must be a string like "https://wiki-origin.example.com"`);
  const url = originOf(`${where} origin`, upstream);
  if (url.origin === apiOrigin) throw new ConfigError(`${where} origin '${upstream}' is the API itself`);
  return url.origin;
}

function parseHeaderNames(where: string, names: unknown): GateHeaderNames {
  if (names === undefined || names === 'sitewide') return 'sitewide';
  if (names === 'cloudflare-access') return names;
  throw new ConfigError(`${where} headers must be "sitewide" (default) or "cloudflare-access"`);
}
