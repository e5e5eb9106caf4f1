/**
 * The checks behind `npm run doctor`: given the configuration a deployment
 * will run with, say line by line whether sign-in will work in a browser and,
 * when not, what to change. Pure (no file or network access), so the tests
 * run it in workerd against every misconfiguration.
 */
import { getDomain, getPublicSuffix } from 'tldts';
import { type ConfigEnv, ConfigError, GOOGLE_ISSUER, parseConfig } from '../src/config';
import { isLocalhost, isWithinDomain } from '../src/domain-rules';
import { importSigningKeys } from '../src/session/keys';
import { checkGates, type GateRoute } from './doctor-gates';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Finding {
  verdict: Verdict;
  /** What was checked, e.g. "COOKIE_DOMAIN". */
  topic: string;
  message: string;
  /** What to change, when the verdict is not ok. */
  fix?: string;
}

export interface DoctorInput {
  vars: ConfigEnv & Record<string, string | undefined>;
  /** false when the secrets are not available here (production secrets live in Cloudflare). */
  secretsKnown: boolean;
  /** Routes from wrangler.toml (custom domains, and zone routes of gated hosts), when checking a deployment environment. */
  routes?: GateRoute[];
  /** The D1 database_id of the environment, when known. */
  databaseId?: string;
}

/**
 * The full Public Suffix List (ICANN and private: `com`, `co.uk`, `workers.dev`,
 * `s3.amazonaws.com`…): a public suffix owns no cookies. Checked here, at deploy
 * time; the Worker only runs a short structural check (isPublicSuffix in src/domain-rules.ts).
 */
export function isPublicSuffix(domain: string): boolean {
  return getPublicSuffix(domain, { allowPrivateDomains: true }) === domain;
}

const PLACEHOLDER_HOST = /(^|\.)example\.com$/;

function url(value: string | undefined): URL | undefined {
  try {
    return value ? new URL(value) : undefined;
  } catch {
    return undefined;
  }
}

export async function diagnoseConfig(input: DoctorInput): Promise<Finding[]> {
  const v = input.vars;
  const out: Finding[] = [];
  const add = (verdict: Verdict, topic: string, message: string, fix?: string) =>
    out.push({ verdict, topic, message, ...(fix ? { fix } : {}) });

  // The API's origin.
  const api = url(v.AUTH_URL);
  if (!api) {
    add(
      'fail',
      'AUTH_URL',
      `'${v.AUTH_URL ?? ''}' is not a URL`,
      'Set AUTH_URL to the API origin, e.g. https://api.example.com',
    );
  } else if (api.protocol !== 'https:' && !isLocalhost(api.hostname)) {
    add(
      'fail',
      'AUTH_URL',
      `${api.origin} is plain http`,
      'Serve the API over https (a Workers custom domain is https)',
    );
  } else {
    add('ok', 'AUTH_URL', `the API is ${api.origin}`);
    if (PLACEHOLDER_HOST.test(api.hostname)) {
      add(
        'warn',
        'AUTH_URL',
        `${api.hostname} is the example placeholder`,
        'Put your own API hostname in wrangler.toml',
      );
    }
  }
  const https = api?.protocol === 'https:';

  // The cookie domain: a domain you own, containing the API host.
  const domain = (v.COOKIE_DOMAIN ?? '').trim().toLowerCase().replace(/^\./, '');
  const suggestion = api ? (getDomain(api.hostname, { allowPrivateDomains: true }) ?? api.hostname) : undefined;
  if (!domain) {
    add('fail', 'COOKIE_DOMAIN', 'is not set', suggestion ? `Set COOKIE_DOMAIN=${suggestion}` : undefined);
  } else if (https && isPublicSuffix(domain)) {
    add(
      'fail',
      'COOKIE_DOMAIN',
      `'${domain}' is a public suffix: browsers reject Domain=${domain} cookies`,
      'Run Sitewide on a custom domain you own (not workers.dev, pages.dev, vercel.app…) and set COOKIE_DOMAIN to it',
    );
  } else if (api && !isWithinDomain(api.hostname, domain)) {
    add(
      'fail',
      'COOKIE_DOMAIN',
      `the API host ${api.hostname} is not inside '${domain}': browsers would drop the cookie`,
      suggestion ? `Set COOKIE_DOMAIN=${suggestion}` : undefined,
    );
  } else {
    add('ok', 'COOKIE_DOMAIN', `the API host ${api?.hostname ?? '?'} is inside ${domain}`);
  }

  // The cookie browsers will store.
  if (api) {
    add(
      'ok',
      'session cookie',
      https
        ? `__Secure-sitewide.session; Domain=${domain}; Path=/; HttpOnly; Secure; SameSite=Lax`
        : 'sitewide.session, host-only, without Secure (plain-http localhost: browsers refuse the __Secure- prefix and Domain there)',
    );
  }

  // The apps that call the API with credentials.
  const origins = (v.ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (origins.length === 0) {
    add(
      'warn',
      'ALLOWED_ORIGINS',
      'is empty: only the API itself may call it with credentials',
      'List your app origins, e.g. https://app.example.com',
    );
  }
  const apiSite = api ? getDomain(api.hostname, { allowPrivateDomains: true }) : undefined;
  for (const origin of origins) {
    const o = url(origin);
    if (!o || o.origin !== origin.replace(/\/$/, '')) {
      add(
        'fail',
        'ALLOWED_ORIGINS',
        `'${origin}' is not a bare origin`,
        'Write origins as https://app.example.com (no path)',
      );
    } else if (o.protocol !== 'https:' && !isLocalhost(o.hostname)) {
      add('fail', 'ALLOWED_ORIGINS', `${origin} is plain http`, `Serve the app over https and list https://${o.host}`);
    } else if (!isLocalhost(o.hostname) && domain && !isWithinDomain(o.hostname, domain)) {
      add(
        'fail',
        'ALLOWED_ORIGINS',
        `${origin} is outside ${domain}: the cookie never reaches it and it is another site`,
        `Serve the app on a subdomain of ${domain}`,
      );
    } else if (
      !isLocalhost(o.hostname) &&
      apiSite &&
      getDomain(o.hostname, { allowPrivateDomains: true }) !== apiSite
    ) {
      add(
        'fail',
        'ALLOWED_ORIGINS',
        `${origin} is not the same site as the API (${apiSite})`,
        `Serve the app under ${apiSite}`,
      );
    } else {
      add('ok', 'ALLOWED_ORIGINS', `${origin} is same-site with the API and may call it with credentials`);
    }
  }

  // Where browsers land.
  const app = url(v.APP_URL);
  if (!app) {
    add(
      'fail',
      'APP_URL',
      `'${v.APP_URL ?? ''}' is not a URL`,
      'Set APP_URL to your app, e.g. https://app.example.com/',
    );
  } else if (app.origin !== api?.origin && !origins.includes(app.origin)) {
    add(
      'warn',
      'APP_URL',
      `${app.origin} is not in ALLOWED_ORIGINS: that app cannot call the API with credentials`,
      `Add ${app.origin} to ALLOWED_ORIGINS`,
    );
  } else {
    add('ok', 'APP_URL', `browsers land on ${app.href} after sign-in`);
  }

  // Google.
  const issuer = v.AUTH_GOOGLE_ISSUER?.trim() || GOOGLE_ISSUER;
  if (api) {
    if (issuer === GOOGLE_ISSUER) {
      add(
        'ok',
        'Google OAuth client',
        `register the redirect URI ${api.origin}/auth/callback/google and the JavaScript origin ${api.origin}`,
      );
      if (
        !/\.apps\.googleusercontent\.com$/.test(v.AUTH_GOOGLE_ID ?? '') ||
        /^your-client-id/.test(v.AUTH_GOOGLE_ID ?? '')
      ) {
        add(
          'warn',
          'AUTH_GOOGLE_ID',
          `'${v.AUTH_GOOGLE_ID ?? ''}' does not look like a Google client id`,
          'Copy the client id from the Google Cloud console',
        );
      }
    } else {
      add('ok', 'Google OAuth client', `sign-in uses the OIDC issuer ${issuer} instead of Google`);
    }
  }

  // Who may sign in (the Worker validates the entries; see the last line).
  const listed = (name: 'ALLOWED_EMAIL_DOMAINS' | 'ALLOWED_EMAILS') =>
    (v[name] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const domains = listed('ALLOWED_EMAIL_DOMAINS');
  const emails = listed('ALLOWED_EMAILS');
  for (const entry of domains) {
    if (isPublicSuffix(entry.toLowerCase())) {
      add(
        'fail',
        'who may sign in',
        `ALLOWED_EMAIL_DOMAINS entry '${entry}' is a public suffix, not one organisation's domain`,
        'List your own (Workspace) domain, e.g. example.com',
      );
    }
  }
  if (domains.length === 0 && emails.length === 0) {
    if (https) {
      add(
        'warn',
        'who may sign in',
        'ALLOWED_EMAIL_DOMAINS and ALLOWED_EMAILS are empty: any Google account in the world may sign in',
        'Set ALLOWED_EMAIL_DOMAINS to your Google Workspace domain (or list addresses in ALLOWED_EMAILS)',
      );
    }
  } else {
    add(
      'ok',
      'who may sign in',
      [
        ...(domains.length ? [`accounts of ${domains.join(', ')}`] : []),
        ...(emails.length ? [`${emails.length} listed address(es)`] : []),
        'invited addresses',
      ].join(', '),
    );
  }

  // Secrets.
  if (!input.secretsKnown) {
    add(
      'warn',
      'secrets',
      'not checked here (production secrets live in Cloudflare)',
      'Check `npx wrangler secret list --env production` lists AUTH_SECRET, AUTH_GOOGLE_SECRET and SESSION_SIGNING_KEYS, or pass --secrets-file',
    );
  } else {
    const secrets = (v.AUTH_SECRET ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (secrets.length === 0) add('fail', 'AUTH_SECRET', 'is not set', 'npm run keys:secrets prints one');
    else if (secrets.some((s) => s.length < 32))
      add('fail', 'AUTH_SECRET', 'is shorter than 32 characters', 'npm run keys:secrets prints a strong one');
    else if (secrets.some((s) => new Set(s).size < 8))
      add('fail', 'AUTH_SECRET', 'has almost no variety: it is guessable', 'npm run keys:secrets prints a strong one');
    else add('ok', 'AUTH_SECRET', `${secrets.length} secret(s), long enough`);
    if (!v.AUTH_GOOGLE_SECRET?.trim())
      add('fail', 'AUTH_GOOGLE_SECRET', 'is not set', 'Copy it from the Google Cloud console');
    else add('ok', 'AUTH_GOOGLE_SECRET', 'is set');
    if (!v.SESSION_SIGNING_KEYS?.trim()) {
      add('fail', 'SESSION_SIGNING_KEYS', 'is not set', 'npm run keys:secrets prints a key set');
    } else {
      try {
        const keys = await importSigningKeys(v.SESSION_SIGNING_KEYS);
        add(
          'ok',
          'SESSION_SIGNING_KEYS',
          `${keys.publicJwks.length} ES256 key(s); signing with kid ${keys.current.kid}`,
        );
      } catch (error) {
        add(
          'fail',
          'SESSION_SIGNING_KEYS',
          error instanceof Error ? error.message : String(error),
          'npm run keys:new makes a valid key',
        );
      }
    }
  }

  // The deployment itself.
  if (input.routes) {
    const custom = input.routes.filter((r) => r.custom_domain);
    if (api && !custom.some((r) => r.pattern === api.hostname)) {
      add(
        'fail',
        'routes',
        `no custom-domain route for ${api.hostname}`,
        `Add routes = [{ pattern = "${api.hostname}", custom_domain = true }]`,
      );
    } else if (api) {
      add('ok', 'routes', `the Worker is served on the custom domain ${api.hostname}`);
    }
  }
  if (input.databaseId !== undefined && /^0{8}-/.test(input.databaseId)) {
    add(
      'warn',
      'D1',
      'database_id is the placeholder',
      'Run `npx wrangler d1 create sitewide` and put its id in wrangler.toml',
    );
  }

  // Apps behind the login, and their routes (scripts/doctor-gates.ts).
  out.push(...checkGates(v, input.routes));

  // Last: exactly what the Worker will decide at startup.
  if (input.secretsKnown) {
    try {
      parseConfig(v);
      add('ok', 'Worker config', 'the Worker accepts this configuration');
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      add('fail', 'Worker config', `the Worker would answer 500 misconfigured: ${error.message}`);
    }
  }
  return out;
}

/** Renders findings as the lines `npm run doctor` prints. */
export function formatFindings(findings: Finding[]): string {
  const mark = { ok: '✓', warn: '!', fail: '✗' } as const;
  return findings
    .map((f) => `${mark[f.verdict]} ${f.topic}: ${f.message}${f.fix ? `\n    → ${f.fix}` : ''}`)
    .join('\n');
}
