/**
 * `npm run doctor`'s checks of the Workspace link (docs/workspace.md): the service account's key
 * file, the settings, then Google itself: a token for the scopes (domain-wide delegation), a
 * users.get of the admin subject, and each GROUP_ROLES group. Web APIs only and `fetch` passed in,
 * so the tests run it in workerd against the Directory stand-in; scripts/doctor.ts runs it on Node.
 */
import { ConfigError } from '../src/config/config-error';
import { isLocalhost } from '../src/config/domain-rules';
import { getUser, listMemberIds } from '../src/workspace/directory';
import { accessToken, GoogleApiError, type GoogleDeps, scopesOf } from '../src/workspace/google-token';
import { parseWorkspaceLink, type WorkspaceEnv, type WorkspaceLink } from '../src/workspace/settings';
import type { Finding } from './doctor-checks';

const TOPIC = 'Workspace link';
const DELEGATION = 'Admin console > Security > Access and data control > API controls > Domain-wide delegation';

export interface WorkspaceDoctorInput {
  vars: WorkspaceEnv & { AUTH_URL?: string };
  secretsKnown: boolean;
  /** fetch, clock and timeout for the calls to Google (a stand-in in tests). */
  deps: GoogleDeps;
}

const fail = (message: string, fix?: string): Finding => ({
  verdict: 'fail',
  topic: TOPIC,
  message,
  ...(fix ? { fix } : {}),
});
const ok = (message: string): Finding => ({ verdict: 'ok', topic: TOPIC, message });

/** The fix for a refused token request: Google's OAuth error code says which. */
function tokenFix(error: GoogleApiError, link: WorkspaceLink, clientId: string): string {
  if (error.code === 'unauthorized_client') {
    return `In the ${DELEGATION}, give the client id ${clientId} exactly these scopes: ${scopesOf(link).join(',')} (changes can take a while to apply)`;
  }
  if (/signature/i.test(error.message)) {
    return 'The key was deleted or replaced: create a new JSON key for the service account and put it in GOOGLE_SERVICE_ACCOUNT';
  }
  if (/email or user id/i.test(error.message)) {
    return `GOOGLE_WORKSPACE_ADMIN (${link.admin}) must be an existing, active user of your Workspace with admin rights to read users and groups`;
  }
  if (error.status === 0) return `Check that ${new URL(link.tokenUrl).host} is reachable from here`;
  return `Google answered ${error.code}: check the service account in the Google Cloud console`;
}

/** The fix for a failed Directory call (users.get of the admin). */
function directoryFix(error: GoogleApiError, link: WorkspaceLink): string {
  if (/accessNotConfigured|SERVICE_DISABLED|has not been used|is disabled/i.test(`${error.code} ${error.message}`)) {
    return "Enable the Admin SDK API in the service account's Google Cloud project (APIs & Services > Library > Admin SDK API)";
  }
  if (error.status === 403) {
    return `${link.admin} lacks the admin privileges to read users (Admin console > Account > Admin roles: Users > Read, Groups > Read), or the Admin SDK API is disabled in the project`;
  }
  if (error.status === 0) return `Check that ${new URL(link.apiBase).host} is reachable from here`;
  return `Google answered ${error.code}: ${error.message}`;
}

/** Production (an https AUTH_URL) talks to Google itself: an endpoint override there is a stand-in left in. */
function standInInProduction(v: WorkspaceDoctorInput['vars']): Finding | undefined {
  if (!v.AUTH_URL?.startsWith('https:')) return undefined;
  for (const name of ['GOOGLE_API_BASE', 'GOOGLE_TOKEN_URL'] as const) {
    const value = v[name]?.trim();
    if (!value) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      // The Worker's own check (parseWorkspaceLink) names a value that is not a URL.
    }
    if (url?.protocol !== 'https:' || isLocalhost(url.hostname) || /^127\.|^\[::1\]$/.test(url.hostname)) {
      return fail(
        `${name} points at ${url?.origin ?? value}, not Google: a test stand-in`,
        `Remove ${name}: production talks to Google`,
      );
    }
  }
  return undefined;
}

export async function checkWorkspace(input: WorkspaceDoctorInput): Promise<Finding[]> {
  const v = input.vars;
  const standIn = standInInProduction(v);
  if (standIn) return [standIn];
  const configured = [v.GOOGLE_SERVICE_ACCOUNT, v.GOOGLE_WORKSPACE_ADMIN, v.GROUP_ROLES].some((x) => x?.trim());
  if (!configured) return [];
  if (!input.secretsKnown || !v.GOOGLE_SERVICE_ACCOUNT?.trim()) {
    return [
      {
        verdict: 'warn',
        topic: TOPIC,
        message: 'GOOGLE_SERVICE_ACCOUNT is not available here: the link is not checked',
        fix: 'Pass the secret with --secrets-file to check the service account against Google',
      },
    ];
  }
  let link: WorkspaceLink | undefined;
  try {
    link = parseWorkspaceLink(v);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [fail(error.message, 'See docs/workspace.md, "Set up"')];
  }
  if (!link) return [];
  const out: Finding[] = [ok(`service account ${link.serviceAccount.clientEmail}, acting as ${link.admin}`)];

  const clientId = String((JSON.parse(v.GOOGLE_SERVICE_ACCOUNT) as { client_id?: unknown }).client_id ?? '?');
  try {
    await accessToken(link, input.deps);
    out.push(ok(`domain-wide delegation grants ${scopesOf(link).join(', ')}`));
  } catch (error) {
    if (!(error instanceof GoogleApiError)) throw error;
    out.push(fail(`no token for the scopes: ${error.message}`, tokenFix(error, link, clientId)));
    return out;
  }
  try {
    const admin = await getUser(link, input.deps, link.admin);
    if (!admin) {
      out.push(
        fail(
          `the Directory has no user ${link.admin}`,
          'Set GOOGLE_WORKSPACE_ADMIN to an active admin of your Workspace',
        ),
      );
      return out;
    }
    const domain = admin.primaryEmail.slice(admin.primaryEmail.lastIndexOf('@') + 1);
    out.push(ok(`users.get of ${admin.primaryEmail} answered (Admin SDK API enabled, privileges in place)`));
    if (!link.domains.has(domain)) {
      out.push({
        verdict: 'warn',
        topic: TOPIC,
        message: `the admin's domain ${domain} is not in GOOGLE_WORKSPACE_DOMAIN (${[...link.domains].join(', ')}): only those domains' users are offboarded`,
        fix: `Add ${domain} to GOOGLE_WORKSPACE_DOMAIN if its users sign in to this site`,
      });
    } else {
      out.push(ok(`users of ${[...link.domains].join(', ')} are offboarded when suspended or deleted`));
    }
  } catch (error) {
    if (!(error instanceof GoogleApiError)) throw error;
    out.push(fail(`users.get of ${link.admin} failed: ${error.message}`, directoryFix(error, link)));
    return out;
  }
  for (const [group, roles] of link.groupRoles) {
    try {
      const members = await listMemberIds(link, input.deps, group);
      if (members === null)
        out.push(fail(`GROUP_ROLES group ${group} does not exist`, 'Fix its address in GROUP_ROLES'));
      else out.push(ok(`${group} (${members.size} user(s), nested included) gives ${roles.join(', ')}`));
    } catch (error) {
      if (!(error instanceof GoogleApiError)) throw error;
      out.push(fail(`reading the members of ${group} failed: ${error.message}`, directoryFix(error, link)));
    }
  }
  return out;
}
