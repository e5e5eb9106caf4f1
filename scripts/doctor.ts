/**
 * `npm run doctor`: will sign-in work in a browser with this configuration?
 *   npm run doctor                                  local: wrangler.toml [vars] + .dev.vars
 *   npm run doctor -- --env production              production [vars]; secrets are not readable offline
 *   npm run doctor -- --env production --secrets-file prod.vars   … and check these secrets too
 *   npm run doctor -- --var COOKIE_DOMAIN=example.com           override any variable
 * Exits 1 when something will fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { unstable_readConfig } from 'wrangler';
import { parseDevVars } from './dev-vars.ts';
import { diagnoseConfig, formatFindings } from './doctor-checks.ts';
import type { GateRoute } from './doctor-gates.ts';
import { checkWorkspace } from './doctor-workspace.ts';

const USAGE =
  'usage: npm run doctor -- [--env production] [--secrets-file FILE] [--var NAME=VALUE ...] (see scripts/doctor.ts)';

/** A bad command line or a wrangler.toml wrangler refuses: one line with the fix, exit 2, never a stack trace. */
function orExit<T>(what: () => T): T {
  try {
    return what();
  } catch (error) {
    console.error(`npm run doctor: ${error instanceof Error ? error.message.trim() : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const { values } = orExit(() =>
  parseArgs({
    options: {
      env: { type: 'string' },
      'secrets-file': { type: 'string' },
      var: { type: 'string', multiple: true },
    },
  }),
);

const config = orExit(() => unstable_readConfig({ config: 'wrangler.toml', env: values.env }, { hideWarnings: true }));
const vars: Record<string, string | undefined> = {};
for (const [k, v] of Object.entries(config.vars ?? {})) vars[k] = typeof v === 'string' ? v : JSON.stringify(v);

const secretsFile = values['secrets-file'] ?? (values.env ? undefined : '.dev.vars');
let secretsKnown = false;
if (secretsFile && existsSync(secretsFile)) {
  Object.assign(vars, parseDevVars(readFileSync(secretsFile, 'utf8')));
  secretsKnown = true;
} else if (values.env && process.env.SESSION_SIGNING_KEYS) {
  for (const name of ['AUTH_SECRET', 'AUTH_GOOGLE_SECRET', 'SESSION_SIGNING_KEYS', 'GOOGLE_SERVICE_ACCOUNT']) {
    vars[name] = process.env[name];
  }
  secretsKnown = true;
}
for (const pair of values.var ?? []) {
  const eq = pair.indexOf('=');
  if (eq > 0) vars[pair.slice(0, eq)] = pair.slice(eq + 1);
}

console.log(
  `Sitewide doctor: ${values.env ? `[env.${values.env}]` : 'local development'} of wrangler.toml${secretsKnown ? ` with secrets from ${secretsFile ?? 'the environment'}` : ''}\n`,
);
const findings = await diagnoseConfig({
  vars,
  secretsKnown,
  ...(values.env
    ? {
        deployment: {
          environment: values.env,
          routes: (config.routes ?? []).map((route: string | GateRoute) =>
            typeof route === 'string' ? { pattern: route } : route,
          ),
          databases: config.d1_databases ?? [],
        },
      }
    : {}),
});
// The Workspace link (docs/workspace.md), when configured: asks Google itself (token, users.get, groups).
findings.push(
  ...(await checkWorkspace({
    vars,
    secretsKnown,
    deps: { fetch: (input, init) => fetch(input, init), now: () => Date.now(), timeoutMs: 15_000 },
  })),
);
console.log(formatFindings(findings));
const failed = findings.filter((f) => f.verdict === 'fail').length;
const warned = findings.filter((f) => f.verdict === 'warn').length;
console.log(
  `\n${failed ? `${failed} problem(s) will stop sign-in` : 'sign-in will work'}${warned ? `; ${warned} warning(s)` : ''}.`,
);
process.exit(failed ? 1 : 0);
