/**
 * The doctor's checks of a deployment environment (`npm run doctor -- --env production`, which
 * `npm run deploy` runs first): what wrangler.toml ships as examples must be replaced before
 * anything is deployed. The example routes, D1 ids and a loopback sign-in issuer fail here, each
 * with the change that fixes it.
 */
import { GOOGLE_ISSUER } from '../src/config/config';
import { isLocalhost } from '../src/config/domain-rules';
import { type AddFinding, isPlaceholderHost, urlOf } from './doctor-findings.ts';
import type { GateRoute } from './doctor-gates.ts';

export interface Deployment {
  /** The environment's name in wrangler.toml, e.g. "production". */
  environment: string;
  /** Its routes: custom domains, and zone routes of gated hosts. */
  routes: GateRoute[];
  /** Every D1 binding of the environment: DB and the session databases. */
  databases: Array<{ binding: string; database_name?: string; database_id?: string }>;
}

const ZERO_ID = /^[0-]+$/;

export function checkDeployment(
  deployment: Deployment,
  vars: { AUTH_GOOGLE_ISSUER?: string },
  api: URL | undefined,
  add: AddFinding,
): void {
  const section = `[env.${deployment.environment}]`;
  const custom = deployment.routes.filter((r) => r.custom_domain);
  if (api && !custom.some((r) => r.pattern === api.hostname)) {
    add(
      'fail',
      'routes',
      `no custom-domain route for ${api.hostname}`,
      `Add routes = [{ pattern = "${api.hostname}", custom_domain = true }] under ${section}`,
    );
  } else if (api) {
    add('ok', 'routes', `the Worker is served on the custom domain ${api.hostname}`);
  }
  for (const route of deployment.routes) {
    if (isPlaceholderHost(route.pattern.split('/')[0] ?? '')) {
      add(
        'fail',
        'routes',
        `${route.pattern} is the example placeholder`,
        `Put your API's hostname in routes under ${section} (and in AUTH_URL)`,
      );
    }
  }

  for (const db of deployment.databases) {
    const name = db.database_name ?? 'sitewide';
    if (!db.database_id || ZERO_ID.test(db.database_id)) {
      add(
        'fail',
        'D1',
        `${db.binding}: database_id is ${db.database_id ? 'the placeholder (all zeros)' : 'missing'}`,
        `Run \`npx wrangler d1 create ${name}\` and put its database_id on binding "${db.binding}" under [[env.${deployment.environment}.d1_databases]]`,
      );
    } else {
      add('ok', 'D1', `${db.binding}: database ${name} (${db.database_id})`);
    }
  }

  const issuer = vars.AUTH_GOOGLE_ISSUER?.trim();
  if (issuer && issuer !== GOOGLE_ISSUER) {
    const url = urlOf(issuer);
    const loopback = url !== undefined && (isLocalhost(url.hostname) || url.hostname.startsWith('127.'));
    if (url?.protocol !== 'https:' || loopback) {
      add(
        'fail',
        'AUTH_GOOGLE_ISSUER',
        `${issuer} is ${url?.protocol === 'https:' ? 'a loopback address' : 'not https'}: a deployment would sign in against a local stand-in`,
        `Set AUTH_GOOGLE_ISSUER = "" under ${section}.vars (empty: Google)`,
      );
    }
  }
}
