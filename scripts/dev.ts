/**
 * `npm run dev`: everything a newcomer needs to sign in locally.
 *   1. creates .dev.vars with fresh secrets and keys if there is none;
 *   2. applies the D1 migrations to the local database (.wrangler/, git-ignored);
 *   3. starts the loopback OIDC server standing in for Google (wrangler.toml's AUTH_GOOGLE_ISSUER);
 *   4. runs `wrangler dev` on http://localhost:8787.
 * Ctrl-C stops all of them (wrangler's whole process group, by PID).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { DEFAULT_OIDC_ISSUER, ensureDevVars } from './dev-vars.ts';
import { type RunningOidcServer, startOidcServer } from './oidc-server.ts';

const PORT = process.env.PORT ?? '8787';

const { created } = await ensureDevVars();
if (created) console.log('created .dev.vars with fresh AUTH_SECRET and SESSION_SIGNING_KEYS');

const migrate = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local'], {
  stdio: 'inherit',
  env: { ...process.env, CI: '1' },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const issuer = new URL(DEFAULT_OIDC_ISSUER);
const oidc: RunningOidcServer = await startOidcServer({ host: issuer.hostname, port: Number(issuer.port) });
console.log(`local OIDC server (standing in for Google) on ${oidc.issuer}`);

const wrangler: ChildProcess = spawn(
  'wrangler',
  ['dev', '--ip', '127.0.0.1', '--port', PORT, '--show-interactive-dev-session=false'],
  { stdio: 'inherit', detached: true },
);
console.log(`\nSign in at http://localhost:${PORT}/auth/signin  (then you land on /api/me)\n`);

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
  await oidc.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
wrangler.on('exit', (code) => void stop(code ?? 1));
