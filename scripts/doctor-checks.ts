/**
 * The checks behind `npm run doctor` (and the start of `npm run dev`): given the configuration a
 * deployment will run with, say line by line whether sign-in will work in a browser and, when
 * not, what to change. Pure (no file or network access), so the tests run it in workerd against
 * every misconfiguration. The sections live beside it: origins (doctor-origin-checks.ts), secrets
 * (doctor-secret-checks.ts), a deployment's placeholders (doctor-deployment-checks.ts).
 */
import { ConfigError, GOOGLE_ISSUER, parseConfig } from '../src/config/config';
import type { ConfigEnv } from '../src/config/env';
import { checkDeployment, type Deployment } from './doctor-deployment-checks.ts';
import { type Finding, findingList, isPlaceholderHost, isPublicSuffix, listOf } from './doctor-findings.ts';
import { checkGates } from './doctor-gates.ts';
import { checkOrigins } from './doctor-origin-checks.ts';
import { checkSecrets } from './doctor-secret-checks.ts';

export type { Deployment } from './doctor-deployment-checks.ts';
export { type Finding, formatFindings, isPublicSuffix, type Verdict } from './doctor-findings.ts';

export interface DoctorInput {
  vars: ConfigEnv & Record<string, string | undefined>;
  /** false when the secrets are not available here (production secrets live in Cloudflare). */
  secretsKnown: boolean;
  /** A deployment environment of wrangler.toml (`--env production`); without it: local development. */
  deployment?: Deployment;
}

export async function diagnoseConfig(input: DoctorInput): Promise<Finding[]> {
  const v = input.vars;
  const { findings, add } = findingList();
  // A deployment's example values fail (README "Deploy in five steps"); locally they are fine to try.
  const where = input.deployment ? `[env.${input.deployment.environment}.vars] of wrangler.toml` : undefined;

  const { api, https } = checkOrigins(v, add, where);

  // Google.
  const issuer = v.AUTH_GOOGLE_ISSUER?.trim() || GOOGLE_ISSUER;
  if (api) {
    if (issuer === GOOGLE_ISSUER) {
      add(
        'ok',
        'Google OAuth client',
        `register the redirect URI ${api.origin}/auth/callback/google and the JavaScript origin ${api.origin}`,
      );
      const id = v.AUTH_GOOGLE_ID ?? '';
      if (where && /^your-client-id/.test(id)) {
        add(
          'fail',
          'AUTH_GOOGLE_ID',
          `'${id}' is the example placeholder`,
          `Create an OAuth client (Web application) in the Google Cloud console and put its client id in AUTH_GOOGLE_ID (${where})`,
        );
      } else if (!/\.apps\.googleusercontent\.com$/.test(id) || /^your-client-id/.test(id)) {
        add(
          'warn',
          'AUTH_GOOGLE_ID',
          `'${id}' does not look like a Google client id`,
          'Copy the client id from the Google Cloud console',
        );
      }
    } else {
      add('ok', 'Google OAuth client', `sign-in uses the OIDC issuer ${issuer} instead of Google`);
    }
  }

  // Who may sign in (the Worker validates the entries; see the last line).
  const domains = listOf(v.ALLOWED_EMAIL_DOMAINS);
  const emails = listOf(v.ALLOWED_EMAILS);
  for (const entry of domains) {
    if (isPublicSuffix(entry.toLowerCase())) {
      add(
        'fail',
        'who may sign in',
        `ALLOWED_EMAIL_DOMAINS entry '${entry}' is a public suffix, not one organisation's domain`,
        'List your own (Workspace) domain, e.g. example.com',
      );
    } else if (where && isPlaceholderHost(entry)) {
      add(
        'fail',
        'who may sign in',
        `ALLOWED_EMAIL_DOMAINS entry '${entry}' is the example placeholder: no Google account belongs to it`,
        `Put your Google Workspace domain in ALLOWED_EMAIL_DOMAINS (${where})`,
      );
    }
  }
  if (domains.length === 0 && emails.length === 0) {
    // Only Google's accounts are the world's: a local stand-in (npm run dev:https) signs in its own.
    if (https && issuer === GOOGLE_ISSUER) {
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

  if (input.secretsKnown) {
    await checkSecrets(v, add, !input.deployment);
  } else {
    add(
      'warn',
      'secrets',
      'not checked here (production secrets live in Cloudflare)',
      'Check `npx wrangler secret list --env production` lists AUTH_SECRET, AUTH_GOOGLE_SECRET and SESSION_SIGNING_KEYS, or pass --secrets-file',
    );
  }

  if (input.deployment) checkDeployment(input.deployment, v, api, add);
  // Apps behind the login, and (in a deployment) their routes (scripts/doctor-gates.ts).
  findings.push(...checkGates(v, input.deployment?.routes));

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
  return findings;
}
