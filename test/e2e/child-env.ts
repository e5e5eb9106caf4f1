/**
 * The environment e2e tests give the processes they start: what a process needs to run (a PATH
 * with the project's Node 24 and wrangler first, HOME, the temp dir, the locale) and the settings
 * that keep wrangler quiet and offline, never the developer's own. A shell's `AUTH_URL`,
 * `ALLOWED_EMAIL_DOMAINS`, `CLOUDFLARE_ENV` or `NODE_OPTIONS` would otherwise reach wrangler, which
 * hands [vars] names and secrets from `process.env` to the Worker (wrangler.toml has [secrets]).
 */
import { dirname, join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
const KEPT = ['HOME', 'USER', 'USERNAME', 'TMPDIR', 'TMP', 'TEMP', 'LANG', 'SYSTEMROOT'];

export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of KEPT) if (process.env[name] !== undefined) env[name] = process.env[name];
  env.PATH = [join(ROOT, 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH ?? '/usr/bin:/bin'].join(
    ':',
  );
  return {
    ...env,
    CI: '1',
    WRANGLER_SEND_METRICS: 'false',
    X_LOCAL_OBSERVABILITY: 'false',
    // No fetch of Cloudflare's Request.cf sample (offline here: it only logs ENOTFOUND).
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    ...extra,
  };
}
