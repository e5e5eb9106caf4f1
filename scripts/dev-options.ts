/**
 * `npm run dev`'s command line: `--https`, and where each server listens. A flag wins over its
 * environment variable, which wins over the default:
 *   --port N      SITEWIDE_PORT       the API (wrangler dev), default 8787
 *   --app-port N  SITEWIDE_APP_PORT   the demo app, default 8788
 *   --idp-port N  SITEWIDE_IDP_PORT   the OIDC server standing in for Google, default 8790
 *   --docs-port N SITEWIDE_DOCS_PORT  the gated docs app (GATES: scripts/gated-docs.ts), default 8789
 */
import { parseArgs } from 'node:util';

export type Role = 'api' | 'app' | 'idp' | 'docs';

export interface PortSpec {
  role: Role;
  /** What listens there, for messages. */
  label: string;
  flag: string;
  envName: string;
  fallback: number;
}

export const PORTS: readonly PortSpec[] = [
  { role: 'api', label: 'the API (wrangler dev)', flag: '--port', envName: 'SITEWIDE_PORT', fallback: 8787 },
  { role: 'app', label: 'the demo app', flag: '--app-port', envName: 'SITEWIDE_APP_PORT', fallback: 8788 },
  {
    role: 'idp',
    label: 'the OIDC server standing in for Google',
    flag: '--idp-port',
    envName: 'SITEWIDE_IDP_PORT',
    fallback: 8790,
  },
  {
    role: 'docs',
    label: 'the gated docs app',
    flag: '--docs-port',
    envName: 'SITEWIDE_DOCS_PORT',
    fallback: 8789,
  },
];

export interface DevOptions {
  https: boolean;
  ports: Record<Role, number>;
}

export const DEV_USAGE =
  'usage: npm run dev -- [--https] [--port 8787] [--app-port 8788] [--idp-port 8790] [--docs-port 8789]  (or SITEWIDE_PORT, SITEWIDE_APP_PORT, SITEWIDE_IDP_PORT, SITEWIDE_DOCS_PORT)';

/** The options, or a one-line message saying what is wrong. */
export function parseDevOptions(argv: string[], env: Record<string, string | undefined>): DevOptions | string {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        https: { type: 'boolean' },
        port: { type: 'string' },
        'app-port': { type: 'string' },
        'idp-port': { type: 'string' },
        'docs-port': { type: 'string' },
      },
    }));
  } catch (error) {
    return `${error instanceof Error ? error.message : String(error)}\n${DEV_USAGE}`;
  }
  const ports = {} as Record<Role, number>;
  for (const spec of PORTS) {
    const flagValue = values[spec.flag.slice(2)];
    const raw = typeof flagValue === 'string' ? flagValue : env[spec.envName];
    const from = typeof flagValue === 'string' ? spec.flag : spec.envName;
    if (raw === undefined || raw === '') {
      ports[spec.role] = spec.fallback;
      continue;
    }
    const port = Number(raw);
    if (!/^\d+$/.test(raw) || port < 1 || port > 65535) return `${from} '${raw}' is not a port (1-65535)\n${DEV_USAGE}`;
    ports[spec.role] = port;
  }
  for (const [i, a] of PORTS.entries()) {
    for (const b of PORTS.slice(i + 1)) {
      if (ports[a.role] === ports[b.role]) {
        return `${a.label} and ${b.label} cannot share port ${ports[a.role]}: give ${b.flag} another one`;
      }
    }
  }
  return { https: values.https === true, ports };
}
