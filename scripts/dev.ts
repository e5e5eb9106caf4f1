/**
 * `npm run dev` (http://localhost) and `npm run dev:https` (sibling hostnames of
 * example.test over https): everything a newcomer needs to sign in locally.
 *   1. creates .dev.vars with fresh secrets and keys if there is none;
 *   2. applies the D1 migrations to the local databases (.wrangler/, git-ignored): DB and each of SESSION_DBS;
 *   3. starts the loopback OIDC server standing in for Google (wrangler.toml's AUTH_GOOGLE_ISSUER);
 *   4. runs `wrangler dev` for the API on port 8787;
 *   5. serves the demo app (demo/) on port 8788, a sibling origin of the API;
 *   6. gates a static "internal docs" page on port 8789 (GATES: scripts/gated-docs.ts).
 * Ctrl-C stops all of them (wrangler's whole process group, by PID).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { startDemoServer } from './demo-server.ts';
import { ensureDevCert, TEST_DOMAIN } from './dev-cert.ts';
import { DEFAULT_OIDC_ISSUER, ensureDevVars } from './dev-vars.ts';
import { gatedDocsVars, startGatedDocs } from './gated-docs.ts';
import { startOidcServer } from './oidc-server.ts';

const https = process.argv.includes('--https');
const API_PORT = 8787;
const APP_PORT = 8788;
const apiOrigin = https ? `https://api.${TEST_DOMAIN}:${API_PORT}` : `http://localhost:${API_PORT}`;
const appOrigin = https ? `https://app.${TEST_DOMAIN}:${APP_PORT}` : `http://localhost:${APP_PORT}`;
const tls = https ? ensureDevCert('.certs') : undefined;

const { created } = await ensureDevVars();
if (created) console.log('created .dev.vars with fresh AUTH_SECRET and SESSION_SIGNING_KEYS');

const migrate = spawnSync(process.execPath, ['scripts/migrate.ts', '--local'], { stdio: 'inherit' });
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const issuer = new URL(DEFAULT_OIDC_ISSUER);
const oidc = await startOidcServer({ host: issuer.hostname, port: Number(issuer.port) });
console.log(`local OIDC server (standing in for Google) on ${oidc.issuer}`);

// The https mode overrides the local [vars] of wrangler.toml for the test domain.
const httpsArgs = tls
  ? [
      ...['--local-protocol', 'https', '--https-key-path', tls.keyPath, '--https-cert-path', tls.certPath],
      ...['--var', `AUTH_URL:${apiOrigin}`, '--var', `APP_URL:${appOrigin}/`],
      ...['--var', `COOKIE_DOMAIN:${TEST_DOMAIN}`, '--var', `ALLOWED_ORIGINS:${appOrigin}`],
    ]
  : [];
const wrangler: ChildProcess = spawn(
  'wrangler',
  [
    ...['dev', '--ip', '127.0.0.1', '--port', String(API_PORT), '--show-interactive-dev-session=false'],
    ...[...httpsArgs, ...gatedDocsVars(https)],
  ],
  { stdio: 'inherit', detached: true },
);
const demo = await startDemoServer({ apiOrigin, port: APP_PORT, tls });
const docs = await startGatedDocs({ apiOrigin, apiPort: API_PORT, https });

console.log(`\nOpen the demo app: ${appOrigin}/  (API: ${apiOrigin})`);
console.log(`An app behind the login (GATES, docs/gate.md): ${docs.url}/`);
if (https) {
  console.log(
    `Map the test hostnames to this machine, either in /etc/hosts:\n  127.0.0.1 api.${TEST_DOMAIN} app.${TEST_DOMAIN} docs.${TEST_DOMAIN}\n` +
      `or by starting Chromium with:\n  chromium --host-resolver-rules="MAP *.${TEST_DOMAIN} 127.0.0.1" --ignore-certificate-errors ${appOrigin}/\n` +
      `(the certificate is self-signed: .certs/cert.pem)`,
  );
}
console.log('');

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (wrangler.pid && wrangler.exitCode === null) {
    try {
      process.kill(-wrangler.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  demo.close();
  await docs.stop();
  await oidc.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
wrangler.on('exit', (code) => void stop(code ?? 1));
