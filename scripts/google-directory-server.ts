/**
 * A loopback stand-in for Google's OAuth token endpoint and the Admin SDK Directory API, for the
 * Workspace link's tests (and local development): plain node:http, no Google code.
 *
 *   POST /token                                               JWT-bearer grant (RFC 7523): the assertion's
 *        RS256 signature is verified with the tenant's public key, and its iss, aud, sub, scope, iat/exp checked
 *   GET  /admin/directory/v1/users?customer=&maxResults=&pageToken=&showDeleted=      users.list
 *   GET  /admin/directory/v1/users/{userKey}                                          users.get
 *   GET  /admin/directory/v1/groups/{groupKey}/members?includeDerivedMembership=&…    members.list
 *   GET  /admin/directory/v1/groups/{groupKey}/hasMember/{memberKey}                  members.hasMember
 *
 * Answers follow the documented shapes: `kind`, `etag`, lists omitted when empty, `nextPageToken`,
 * token errors `{"error","error_description"}`, API errors `{"error":{"code","message","errors","status"}}`.
 * It ignores `fields` (partial responses) and `projection`: it always answers the full resource.
 * Tests drive it through /_control: PUT /_control/tenants/{client_email} (a Tenant: key, delegated
 * scopes, users, groups, faults) and GET /_control/tenants/{client_email}/requests (what was asked).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { importJWK, jwtVerify } from 'jose';
import {
  type Endpoint,
  findUser,
  googleError,
  hasMember,
  memberResource,
  membersOf,
  NOT_FOUND,
  type Tenant,
  userResource,
} from './google-directory-model.ts';

export type { Fault, StandInUser, Tenant } from './google-directory-model.ts';

export const USER_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';
export const GROUP_SCOPES = [
  'https://www.googleapis.com/auth/admin.directory.group.member.readonly',
  'https://www.googleapis.com/auth/admin.directory.group.readonly',
];

export interface RunningDirectoryServer {
  /** e.g. http://127.0.0.1:PORT: GOOGLE_API_BASE; the token endpoint is `${url}/token`. */
  url: string;
  stop(): Promise<void>;
}

interface Grant {
  tenant: string;
  scopes: string[];
  expires: number;
}

const UNAUTHORIZED_CLIENT =
  'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.';

export async function startGoogleDirectoryServer(options: { port?: number; host?: string } = {}) {
  const host = options.host ?? '127.0.0.1';
  const tenants = new Map<string, Tenant>();
  const requests = new Map<string, string[]>();
  const grants = new Map<string, Grant>();
  let url = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  /** A tenant's fault for this endpoint, after its delay: true when it answered. */
  async function faulted(res: ServerResponse, tenant: Tenant, endpoint: Endpoint): Promise<boolean> {
    const fault = tenant.faults?.[endpoint];
    if (!fault) return false;
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.status === undefined) return false;
    json(
      res,
      fault.status,
      fault.body ?? googleError(fault.status, 'INTERNAL', 'Internal error encountered.', 'backendError'),
    );
    return true;
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams(await bodyOf(req));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return json(res, 400, {
        error: 'unsupported_grant_type',
        error_description: `Invalid grant_type: ${form.get('grant_type')}`,
      });
    }
    const assertion = form.get('assertion') ?? '';
    let claims: Record<string, unknown>;
    try {
      claims = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString()) as Record<
        string,
        unknown
      >;
    } catch {
      return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT: not a JWT.' });
    }
    const tenantId = typeof claims.iss === 'string' ? claims.iss : '';
    const tenant = tenants.get(tenantId);
    if (!tenant)
      return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid grant: account not found' });
    requests.get(tenantId)?.push(`POST /token sub=${String(claims.sub)} scope=${String(claims.scope)}`);
    if (await faulted(res, tenant, 'token')) return;
    try {
      await jwtVerify(assertion, await importJWK(tenant.publicJwk, 'RS256'), {
        algorithms: ['RS256'],
        issuer: tenantId,
        audience: `${url}/token`,
        requiredClaims: ['iat', 'exp', 'sub', 'scope'],
      });
    } catch (error) {
      const signature = (error as { code?: string }).code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED';
      return json(res, 400, {
        error: 'invalid_grant',
        error_description: signature ? 'Invalid JWT Signature.' : `Invalid JWT: ${(error as Error).message}`,
      });
    }
    if (Number(claims.exp) - Number(claims.iat) > 3600) {
      return json(res, 400, {
        error: 'invalid_grant',
        error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
      });
    }
    const scopes = String(claims.scope).split(' ').filter(Boolean);
    if (scopes.length === 0 || scopes.some((s) => !tenant.delegatedScopes.includes(s))) {
      return json(res, 401, { error: 'unauthorized_client', error_description: UNAUTHORIZED_CLIENT });
    }
    // Domain-wide delegation acts as a user of the customer: an unknown or suspended subject is refused.
    const subject = findUser(tenant, String(claims.sub));
    if (!subject || subject.suspended) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid email or User ID' });
    }
    const accessToken = `ya29.stand-in.${crypto.randomUUID()}`;
    grants.set(accessToken, { tenant: tenantId, scopes, expires: Date.now() + 3599_000 });
    return json(res, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
  }

  async function directory(req: IncomingMessage, res: ServerResponse, path: string[], query: URLSearchParams) {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = bearer ? grants.get(bearer) : undefined;
    const tenant = grant && grant.expires > Date.now() ? tenants.get(grant.tenant) : undefined;
    if (!grant || !tenant) {
      const message = 'Request had invalid authentication credentials. Expected OAuth 2 access token.';
      return json(res, 401, googleError(401, 'UNAUTHENTICATED', message, 'authError'));
    }
    requests.get(grant.tenant)?.push(`GET ${req.url}`);
    const insufficient = () =>
      json(
        res,
        403,
        googleError(
          403,
          'PERMISSION_DENIED',
          'Request had insufficient authentication scopes.',
          'insufficientPermissions',
        ),
      );
    const [collection, key, sub, subKey] = path;

    if (collection === 'users') {
      if (!grant.scopes.includes(USER_SCOPE)) return insufficient();
      if (key === undefined) {
        if (await faulted(res, tenant, 'users.list')) return;
        const customer = query.get('customer');
        if (customer !== 'my_customer' && customer !== tenant.customerId) {
          return json(
            res,
            403,
            googleError(403, 'PERMISSION_DENIED', 'Not Authorized to access this resource/api', 'forbidden'),
          );
        }
        const deleted = query.get('showDeleted') === 'true';
        const all = tenant.users.filter((u) => Boolean(u.deleted) === deleted);
        return page(res, query, 500, all, (u) => userResource(tenant, u), 'admin#directory#users', 'users');
      }
      if (await faulted(res, tenant, 'users.get')) return;
      const user = findUser(tenant, key);
      return user ? json(res, 200, userResource(tenant, user)) : json(res, 404, NOT_FOUND('userKey'));
    }

    if (collection === 'groups' && key !== undefined) {
      if (!grant.scopes.some((s) => GROUP_SCOPES.includes(s))) return insufficient();
      if (sub === 'members' && subKey === undefined) {
        if (await faulted(res, tenant, 'members.list')) return;
        const members = membersOf(tenant, key, query.get('includeDerivedMembership') === 'true');
        if (!members) return json(res, 404, NOT_FOUND('groupKey'));
        const resources = members.map((m) => memberResource(tenant, m)).filter((m) => m !== undefined);
        const unique = [...new Map(resources.map((m) => [m.id, m])).values()];
        return page(res, query, 200, unique, (m) => m, 'admin#directory#members', 'members');
      }
      if (sub === 'hasMember' && subKey !== undefined) {
        if (await faulted(res, tenant, 'members.hasMember')) return;
        const answer = hasMember(tenant, key, subKey);
        if (answer === undefined) return json(res, 404, NOT_FOUND(findUser(tenant, subKey) ? 'groupKey' : 'memberKey'));
        return json(res, 200, { isMember: answer });
      }
    }
    return json(res, 404, NOT_FOUND('path'));
  }

  /** A page of a listing: maxResults (at most `cap`), an opaque pageToken, the list omitted when empty. */
  function page<T>(
    res: ServerResponse,
    query: URLSearchParams,
    cap: number,
    all: T[],
    shape: (item: T) => unknown,
    kind: string,
    field: string,
  ) {
    const max = Math.min(Number(query.get('maxResults') ?? 100) || 100, cap);
    const offset = offsetOf(query.get('pageToken'));
    if (offset === undefined)
      return json(res, 400, googleError(400, 'INVALID_ARGUMENT', 'Invalid Input: pageToken', 'invalid'));
    const items = all.slice(offset, offset + max).map(shape);
    const next = offset + max < all.length ? { nextPageToken: pageToken(offset + max) } : {};
    return json(res, 200, { kind, etag: `"${offset}"`, ...(items.length ? { [field]: items } : {}), ...next });
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string[]) {
    const [, id, what] = path;
    if (!id) return json(res, 404, NOT_FOUND('tenant'));
    const tenantId = decodeURIComponent(id);
    if (req.method === 'PUT' && what === undefined) {
      tenants.set(tenantId, JSON.parse(await bodyOf(req)) as Tenant);
      if (!requests.has(tenantId)) requests.set(tenantId, []);
      return json(res, 204, '');
    }
    if (req.method === 'GET' && what === 'requests') return json(res, 200, requests.get(tenantId) ?? []);
    return json(res, 404, NOT_FOUND('control'));
  }

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://stand-in');
    const path = parsed.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const run = async () => {
      if (req.method === 'POST' && parsed.pathname === '/token') return token(req, res);
      if (path[0] === '_control' && path[1] === 'tenants') return control(req, res, path.slice(1));
      if (req.method === 'GET' && path.slice(0, 3).join('/') === 'admin/directory/v1') {
        return directory(req, res, path.slice(3), parsed.searchParams);
      }
      return json(res, 404, NOT_FOUND('path'));
    };
    run().catch((error: unknown) => json(res, 500, googleError(500, 'INTERNAL', String(error), 'backendError')));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const address = server.address();
  url = `http://${host}:${typeof address === 'object' && address ? address.port : options.port}`;
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } satisfies RunningDirectoryServer;
}

/** An opaque page token (Google's are opaque too) and its offset. */
const pageToken = (offset: number) => Buffer.from(`offset:${offset}`).toString('base64url');
function offsetOf(token: string | null): number | undefined {
  if (!token) return 0;
  const match = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

// `node scripts/google-directory-server.ts [PORT]`: the stand-in on its own, for trying the link locally
// (point GOOGLE_API_BASE and GOOGLE_TOKEN_URL in .dev.vars at it, then PUT a tenant to /_control).
if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await startGoogleDirectoryServer({ port: Number(process.argv[2] ?? 8791) });
  console.log(`Google Directory stand-in on ${running.url} (token endpoint ${running.url}/token); Ctrl-C stops it`);
  process.once('SIGINT', () => void running.stop().then(() => process.exit(0)));
}
