/**
 * `npm run dev` (http://localhost) and `npm run dev:https` (sibling hostnames of example.test over
 * https): everything a newcomer needs to sign in locally, or one message saying what to change.
 *   1. creates .dev.vars with fresh secrets if there is none (and adds any secret it lacks);
 *   2. runs the doctor's checks on the settings the Worker will get (wrangler.toml [vars], .dev.vars,
 *      the ports): a failure is printed with its fix and nothing starts;
 *   3. checks that its ports are free: a busy one is named with the flag that moves it;
 *   4. applies the D1 migrations to the local databases (.wrangler/, git-ignored), in one line;
 *   5. starts the loopback OIDC server standing in for Google, `wrangler dev` for the API and the
 *      demo app (demo/) on a sibling origin;
 *   6. gates a static "internal docs" page next to the demo (GATES: scripts/gated-docs.ts, docs/gate.md);
 *   7. once the API answers /health, prints one summary: what runs where, who may sign in, the URL.
 * Ports: --port / --app-port / --idp-port / --docs-port (or SITEWIDE_PORT / SITEWIDE_APP_PORT / SITEWIDE_IDP_PORT / SITEWIDE_DOCS_PORT;
 * scripts/dev-options.ts); AUTH_URL, APP_URL, ALLOWED_ORIGINS and AUTH_GOOGLE_ISSUER follow them.
 * Ctrl-C, or any server failing, stops all of them (wrangler's whole process group, by PID).
 */
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import { unstable_readConfig } from 'wrangler';
import { startDemoServer } from './demo-server.ts';
import { ensureDevCert, TEST_DOMAIN } from './dev-cert.ts';
import { migrateLocal } from './dev-migrations.ts';
import { parseDevOptions } from './dev-options.ts';
import { relayOutput } from './dev-output.ts';
import { busyPortLines } from './dev-ports.ts';
import { devSettings, settingLines, varArgs } from './dev-settings.ts';
import { ensureDevVars } from './dev-vars.ts';
import { formatFindings } from './doctor-findings.ts';
import { type GatedDocs, gatedDocsGates, startGatedDocs } from './gated-docs.ts';
import { DEFAULT_IDENTITY } from './google-identity.ts';
import { type RunningOidcServer, startOidcServer } from './oidc-server.ts';
import { freePort, startGroup, stopGroup, waitForHealth } from './process-group.ts';

const options = parseDevOptions(process.argv.slice(2), process.env);
if (typeof options === 'string') {
  console.error(options);
  process.exit(2);
}

const devVars = await ensureDevVars();
if (devVars.created) console.log('created .dev.vars with fresh AUTH_SECRET and SESSION_SIGNING_KEYS');
else if (devVars.added.length) console.log(`added a fresh ${devVars.added.join(', ')} to .dev.vars`);

const config = unstable_readConfig({ config: 'wrangler.toml' }, { hideWarnings: true });
const tomlVars: Record<string, string> = {};
for (const [k, v] of Object.entries(config.vars ?? {})) tomlVars[k] = typeof v === 'string' ? v : JSON.stringify(v);
const settings = devSettings(options, tomlVars, devVars.vars);
// The gated docs app (scripts/gated-docs.ts): its origin on a free loopback port, gated on --docs-port.
const docsPorts = { gatedPort: options.ports.docs, originPort: await freePort() };
settings.cliVars.GATES = gatedDocsGates(options.https, docsPorts);
settings.effective.GATES = settings.cliVars.GATES;

// The doctor's checks run the Worker's own config code, whose imports are extensionless (bundler
// resolution, as wrangler builds it): tsx resolves them here, as it does for `npm run doctor`.
(await import('tsx/esm/api')).register();
const { diagnoseConfig } = await import('./doctor-checks.ts');
const findings = await diagnoseConfig({ vars: settings.effective, secretsKnown: true });
const failures = findings.filter((f) => f.verdict === 'fail');
if (failures.length > 0) {
  const sources = settingLines(settings, devVars.vars).find(([label]) => label === 'settings')?.[1];
  console.error(
    `npm run dev: sign-in would not work with these settings, so nothing was started.\n\n${formatFindings(failures)}\n\nSettings: ${sources}. Fix it and run npm run dev again (npm run doctor explains every setting).`,
  );
  process.exit(1);
}

const busy = await busyPortLines(options);
if (busy.length > 0) {
  console.error(`${busy.join('\n')}\nNothing was started.`);
  process.exit(1);
}

// Offline by default: no Request.cf sample download, no usage metrics (each only logs ENOTFOUND here).
const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: process.env.CLOUDFLARE_CF_FETCH_ENABLED ?? 'false',
  WRANGLER_SEND_METRICS: process.env.WRANGLER_SEND_METRICS ?? 'false',
};
// Local development is wrangler.toml's top level: a shell's CLOUDFLARE_ENV would pick another environment.
delete childEnv.CLOUDFLARE_ENV;
const migrations = migrateLocal(childEnv);
if (!migrations.ok) {
  console.error(`${migrations.output}\nnpm run dev: D1 ${migrations.summary}; nothing was started.`);
  process.exit(1);
}

const { api, app, idp } = options.ports;
const tls = options.https ? ensureDevCert('.certs') : undefined;
let oidc: RunningOidcServer | undefined;
let demo: Server | undefined;
let wrangler: ChildProcess | undefined;
let docs: GatedDocs | undefined;
let stopping: Promise<void> | undefined;

/**
 * Stops everything started, by PID, and exits. Called again (a second Ctrl-C, a failure while
 * stopping), it returns the first call's promise, which never settles before the exit: nothing
 * after an `await stop(…)` runs.
 */
function stop(code: number, message?: string): Promise<void> {
  stopping ??= (async () => {
    if (message) console.error(message);
    const first = wrangler;
    if (first) await stopGroup(first);
    demo?.close();
    await docs?.stop();
    await oidc?.stop();
    // A wrangler started while the others were stopping (Ctrl-C during start-up) goes too.
    if (wrangler && wrangler !== first) await stopGroup(wrangler);
    process.exit(code);
  })();
  return stopping;
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

try {
  oidc = await startOidcServer({ host: '127.0.0.1', port: idp });
  demo = await startDemoServer({ apiOrigin: settings.apiOrigin, port: app, tls });
  docs = await startGatedDocs({ apiOrigin: settings.apiOrigin, apiPort: api, https: options.https, ...docsPorts });
  demo.on(
    'error',
    (error) => void stop(1, `npm run dev: the demo app failed (${error.message}); everything is stopped.`),
  );
  const tlsArgs = tls
    ? ['--local-protocol', 'https', '--https-key-path', tls.keyPath, '--https-cert-path', tls.certPath]
    : [];
  if (stopping) await stopping;
  wrangler = startGroup(
    'wrangler',
    [
      ...['dev', '--ip', '127.0.0.1', '--port', String(api), '--show-interactive-dev-session=false'],
      ...tlsArgs,
      ...varArgs(settings.cliVars),
    ],
    { env: childEnv, pipe: true },
  );
  wrangler.once('error', (error) => void stop(1, `npm run dev: could not run wrangler (${error.message}): run npm ci`));
} catch (error) {
  await stop(
    1,
    `npm run dev: could not start (${error instanceof Error ? error.message : String(error)}); everything is stopped.`,
  );
}

const started = wrangler as ChildProcess;
const output = relayOutput([started.stdout, started.stderr], (line) => console.log(line));
try {
  const probe = `${tls ? 'https' : 'http'}://127.0.0.1:${api}/health`;
  await waitForHealth(probe, started, { name: 'wrangler dev', timeoutMs: 120_000 });
} catch (error) {
  await stop(
    1,
    `${output.kept()}\nnpm run dev: the API did not start: ${error instanceof Error ? error.message : String(error)}\nEverything is stopped.`,
  );
}
const wranglerStopped = () =>
  void stop(1, `npm run dev: wrangler dev stopped (${started.exitCode ?? started.signalCode}); everything is stopped.`);
started.on('exit', wranglerStopped);
if (started.exitCode !== null || started.signalCode !== null) wranglerStopped();

const row = (label: string, value: string) => `  ${label.padEnd(18)}${value}`;
const who = DEFAULT_IDENTITY;
const warnings = findings.filter((f) => f.verdict === 'warn');
console.log(
  [
    '',
    'Sitewide is running. Ctrl-C stops everything.',
    row('API', `${settings.apiOrigin}  (wrangler dev; its request log follows)`),
    row('demo app', `${settings.appOrigin}/`),
    row('gated app', `${(docs as GatedDocs).url}/  (a docs page behind the login: GATES, docs/gate.md)`),
    row('Google stand-in', `${settings.issuer}  (signs you in as ${who.name} <${who.email}>, Workspace ${who.hd})`),
    ...settingLines(settings, devVars.vars).map(([label, value]) => row(label, value)),
    row('D1', migrations.summary),
    ...(warnings.length ? ['', formatFindings(warnings)] : []),
    ...(tls
      ? [
          '',
          `Map the test hostnames to this machine, in /etc/hosts (127.0.0.1 api.${TEST_DOMAIN} app.${TEST_DOMAIN} docs.${TEST_DOMAIN}) or with`,
          `  chromium --host-resolver-rules="MAP *.${TEST_DOMAIN} 127.0.0.1" --ignore-certificate-errors ${settings.appOrigin}/`,
        ]
      : []),
    '',
    `Open the demo app: ${settings.appOrigin}/`,
    '',
  ].join('\n'),
);
output.flow();
