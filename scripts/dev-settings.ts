/**
 * The settings `npm run dev` runs the Worker with: wrangler.toml's [vars], then `.dev.vars`, then
 * what follows from the ports (and `--https`), which `npm run dev` passes to wrangler as `--var`
 * (a `--var` wins over both). The doctor checks exactly these values before anything starts.
 * Pure: the files' contents in, the values out.
 */
import { TEST_DOMAIN } from './dev-cert.ts';
import type { DevOptions } from './dev-options.ts';
import { listOf } from './doctor-findings.ts';

/** wrangler.toml's [vars] ALLOWED_ORIGINS entry for the demo app on its default port. */
const DEFAULT_APP_ORIGIN = 'http://localhost:8788';

export type Vars = Record<string, string | undefined>;

export interface DevSettings {
  apiOrigin: string;
  appOrigin: string;
  issuer: string;
  /** What npm run dev passes as `--var NAME:VALUE`. */
  cliVars: Record<string, string>;
  /** What the Worker will see: [vars] < .dev.vars < cliVars. */
  effective: Vars;
}

export function devSettings(options: DevOptions, tomlVars: Vars, devVars: Vars): DevSettings {
  const { api, app, idp } = options.ports;
  const apiOrigin = options.https ? `https://api.${TEST_DOMAIN}:${api}` : `http://localhost:${api}`;
  const appOrigin = options.https ? `https://app.${TEST_DOMAIN}:${app}` : `http://localhost:${app}`;
  const issuer = `http://127.0.0.1:${idp}`;
  const merged = { ...tomlVars, ...devVars };
  // The demo app first; any other origin listed (your own app) is kept.
  const others = listOf(merged.ALLOWED_ORIGINS).filter((o) => o !== DEFAULT_APP_ORIGIN && o !== appOrigin);
  const cliVars: Record<string, string> = {
    AUTH_URL: apiOrigin,
    APP_URL: `${appOrigin}/`,
    ALLOWED_ORIGINS: [appOrigin, ...others].join(','),
    AUTH_GOOGLE_ISSUER: issuer,
    ...(options.https ? { COOKIE_DOMAIN: TEST_DOMAIN } : {}),
  };
  return { apiOrigin, appOrigin, issuer, cliVars, effective: { ...merged, ...cliVars } };
}

/** The `wrangler dev` arguments that carry cliVars. */
export function varArgs(cliVars: Record<string, string>): string[] {
  return Object.entries(cliVars).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
}

/** "who may sign in", "roles" and "settings" lines of the start-up summary. */
export function settingLines(settings: DevSettings, devVars: Vars): Array<[string, string]> {
  const v = settings.effective;
  const domains = listOf(v.ALLOWED_EMAIL_DOMAINS);
  const emails = listOf(v.ALLOWED_EMAILS);
  const who =
    domains.length || emails.length
      ? [
          ...(domains.length ? [`accounts of ${domains.join(', ')}`] : []),
          ...(emails.length ? [`${emails.length} listed address(es)`] : []),
          'invited addresses',
        ].join(', ')
      : 'anyone (ALLOWED_EMAIL_DOMAINS and ALLOWED_EMAILS are empty)';
  let roles = 'APP_ACCESS is empty: no app requires a role';
  if (v.APP_ACCESS?.trim()) {
    try {
      const access = JSON.parse(v.APP_ACCESS) as Record<string, string[]>;
      roles = Object.entries(access)
        .map(([key, needed]) => `${key} needs ${needed.join(' or ')}`)
        .join('; ');
    } catch {
      roles = `APP_ACCESS: ${v.APP_ACCESS}`;
    }
  }
  const secrets = new Set(['AUTH_SECRET', 'AUTH_GOOGLE_SECRET', 'SESSION_SIGNING_KEYS']);
  // ALLOWED_ORIGINS from .dev.vars keeps its other origins (devSettings); the other derived ones are replaced.
  const merges = (n: string) => !(n in settings.cliVars) || n === 'ALLOWED_ORIGINS';
  const fromFile = Object.keys(devVars).filter((n) => !secrets.has(n) && merges(n));
  const ignored = Object.keys(devVars).filter((n) => !merges(n) && devVars[n] !== settings.cliVars[n]);
  const sources = [
    'wrangler.toml [vars]',
    ...(fromFile.length ? [`.dev.vars sets ${fromFile.join(', ')}`] : []),
    ...(ignored.length ? [`.dev.vars ${ignored.join(', ')} ignored: npm run dev sets them from the ports`] : []),
  ];
  return [
    ['who may sign in', who],
    ['roles', `${roles} (grant with npm run admin -- roles grant EMAIL ROLE)`],
    ['settings', sources.join('; ')],
  ];
}
