/**
 * The doctor's checks of the origins: the API (AUTH_URL), the cookie domain, the cookie browsers
 * will store, the apps allowed to call with credentials (ALLOWED_ORIGINS) and where browsers land
 * (APP_URL). Pure: the values in, findings out.
 */
import { getDomain } from 'tldts';
import { isLocalhost, isWithinDomain } from '../src/config/domain-rules';
import type { ConfigEnv } from '../src/config/env';
import { type AddFinding, isPlaceholderHost, isPublicSuffix, listOf, urlOf } from './doctor-findings.ts';

export interface OriginFacts {
  api: URL | undefined;
  https: boolean;
  /** COOKIE_DOMAIN, lower-case, without a leading dot. */
  domain: string;
}

/**
 * `deployment`: where to edit ("[env.production.vars] of wrangler.toml") when checking a deployment,
 * whose example hosts fail; locally they are fine to try things with (docs/access.md, "Try it locally": ALLOWED_EMAIL_DOMAINS=example.org).
 */
export function checkOrigins(v: ConfigEnv, add: AddFinding, deployment?: string): OriginFacts {
  const placeholder = (topic: string, host: string, what: string) => {
    if (deployment) add('fail', topic, `${host} is the example placeholder`, `Put ${what} in ${topic} (${deployment})`);
  };

  const api = urlOf(v.AUTH_URL);
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
    if (isPlaceholderHost(api.hostname)) placeholder('AUTH_URL', api.hostname, "your API's origin");
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
    if (isPlaceholderHost(domain)) placeholder('COOKIE_DOMAIN', domain, 'your registrable domain');
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
  const origins = listOf(v.ALLOWED_ORIGINS);
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
    const o = urlOf(origin);
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
      if (isPlaceholderHost(o.hostname)) placeholder('ALLOWED_ORIGINS', o.hostname, "your apps' origins");
    }
  }

  // Where browsers land.
  const app = urlOf(v.APP_URL);
  if (!app) {
    add(
      'fail',
      'APP_URL',
      `'${v.APP_URL ?? ''}' is not a URL`,
      'Set APP_URL to your app, e.g. https://app.example.com/',
    );
  } else {
    // An entry may end in `/`, as the Worker accepts it: compare origins.
    if (app.origin !== api?.origin && !origins.some((o) => urlOf(o)?.origin === app.origin)) {
      add(
        'warn',
        'APP_URL',
        `${app.origin} is not in ALLOWED_ORIGINS: that app cannot call the API with credentials`,
        `Add ${app.origin} to ALLOWED_ORIGINS`,
      );
    } else {
      add('ok', 'APP_URL', `browsers land on ${app.href} after sign-in`);
    }
    if (isPlaceholderHost(app.hostname)) placeholder('APP_URL', app.hostname, "your app's URL");
  }
  return { api, https, domain };
}
