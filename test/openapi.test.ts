import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { OPERATIONS } from '../src/openapi/operations';
import { API, api, SESSION_COOKIE } from './support/worker';

interface Operation {
  summary: string;
  operationId?: string;
  tags: string[];
  security?: Array<Record<string, string[]>>;
  responses: Record<
    string,
    {
      content?: {
        'application/json': { schema: { properties?: { error?: { properties: { code: { enum: string[] } } } } } };
      };
    }
  >;
}

describe('GET /openapi.json', () => {
  it('describes every public route (built from src/openapi/operations.ts, served from the assets)', async () => {
    const res = await api('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, Operation>> };
    expect(doc.openapi).toMatch(/^3\./);
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'GET /health',
        'GET /.well-known/jwks.json',
        'GET /.well-known/sitewide.json',
        'GET /.well-known/sitewide-revocations',
        'POST /auth/token',
        'POST /auth/refresh',
        'GET /auth/diagnose',
        'GET /auth/signin',
        'GET /auth/csrf',
        'GET /auth/signin/{provider}',
        'POST /auth/signin/{provider}',
        'GET /auth/callback/{provider}',
        'GET /auth/signout',
        'POST /auth/signout',
        'GET /auth/error',
        'GET /api/me',
        'GET /api/me/export',
        'DELETE /api/me',
        'GET /api/sessions',
        'POST /api/sessions/revoke-all',
        'POST /api/sessions/{id}/revoke',
        'GET /',
        'GET /openapi.json',
      ].sort(),
    );
  });

  it('lists each error status with the stable codes it can carry', async () => {
    const doc = (await (await api('/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>> };
    const me = doc.paths['/api/me']?.get;
    const codes = (status: string) =>
      me?.responses[status]?.content?.['application/json'].schema.properties?.error?.properties.code.enum;
    expect(codes('401')).toEqual([
      'missing_session',
      'invalid_session',
      'session_expired',
      'session_revoked',
      'user_not_found',
    ]);
    expect(codes('403')).toEqual(['user_disabled', 'access_denied', 'csrf_rejected', 'client_not_allowed']);
    expect(codes('503')).toEqual(['service_unavailable']);
    const deleteMe = doc.paths['/api/me']?.delete;
    expect(deleteMe?.operationId).toBe('deleteMe');
    expect(Object.keys(deleteMe?.responses ?? {})).toContain('204');
    expect(
      deleteMe?.responses['403']?.content?.['application/json'].schema.properties?.error?.properties.code.enum,
    ).toEqual(['user_disabled', 'access_denied', 'csrf_rejected', 'client_not_allowed', 'reauth_required']);
    expect(doc.paths['/api/me/export']?.get?.operationId).toBe('getMeExport');
    // POST /auth/token: Sitewide's codes (the cookie flow), or an RFC 6749 error (grant_type=client_credentials).
    type OneOf = {
      oneOf: Array<{ properties: { error: { enum?: string[]; properties?: { code: { enum: string[] } } } } }>;
    };
    const token = doc.paths['/auth/token']?.post as unknown as {
      responses: Record<string, { content: { 'application/json': { schema: OneOf } } }>;
      requestBody: { content: Record<string, unknown> };
    };
    const [ours, oauth] = token.responses['400']?.content['application/json'].schema.oneOf ?? [];
    expect(ours?.properties.error.properties?.code.enum).toEqual(['invalid_audience', 'validation_failed']);
    expect(oauth?.properties.error.enum).toContain('invalid_target');
    const [, unauthorized] = token.responses['401']?.content['application/json'].schema.oneOf ?? [];
    expect(unauthorized?.properties.error.enum).toContain('invalid_client');
    expect(Object.keys(token.requestBody.content)).toEqual(['application/json', 'application/x-www-form-urlencoded']);
  });

  interface Document {
    servers: Array<{ url: string }>;
    tags: Array<{ name: string; description: string }>;
    components: { securitySchemes: Record<string, { name?: string }> };
    paths: Record<string, Record<string, Operation>>;
  }
  const documentOf = async () => (await (await api('/openapi.json')).json()) as Document;
  const operationsOf = (doc: Document) =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );

  it('lists every route the app serves, read from the app itself; operations.ts names no other', async () => {
    // Wildcards are middleware and Auth.js's catch-all.
    const NOT_OPERATIONS = new Set<string>();
    const served = new Set(
      createApp()
        .routes.filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
        .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
        .filter((route) => !NOT_OPERATIONS.has(route)),
    );
    expect(served).toContain('GET /');
    expect(served).toContain('GET /openapi.json');
    const documented = operationsOf(await documentOf()).map((o) => o.route);
    expect(documented.sort()).toEqual([...served].sort());
    expect(Object.keys(OPERATIONS).sort()).toEqual([...served].sort());
  });

  it('gives every operation a unique camelCase operationId derived from its method and path', async () => {
    const ops = operationsOf(await documentOf());
    const ids = ops.map((o) => o.op.operationId);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(new Set(ids).size).toBe(ops.length);
    const idOf = (route: string) => ops.find((o) => o.route === route)?.op.operationId;
    expect(idOf('GET /api/me')).toBe('getMe');
    expect(idOf('POST /auth/signin/{provider}')).toBe('postAuthSigninProvider');
    expect(idOf('POST /api/sessions/{id}/revoke')).toBe('postSessionsIdRevoke');
    expect(idOf('GET /')).toBe('getRoot');
    expect(idOf('GET /openapi.json')).toBe('getOpenapiJson');
  });

  it('says who may call each operation: security [] (public) or requirements on declared schemes', async () => {
    const doc = await documentOf();
    const schemes = Object.keys(doc.components.securitySchemes);
    for (const { route, op } of operationsOf(doc)) {
      expect(Array.isArray(op.security), route).toBe(true);
      for (const requirement of op.security ?? []) {
        // `{}` (anonymous) only makes a listed credential optional.
        if (Object.keys(requirement).length === 0) expect(op.security?.length, route).toBeGreaterThan(1);
        for (const scheme of Object.keys(requirement)) expect(schemes, route).toContain(scheme);
      }
      // A credential that is required (no `{}` alternative) can be refused: 401 is documented.
      const required = (op.security ?? []).length > 0 && !op.security?.some((r) => Object.keys(r).length === 0);
      if (required) expect(Object.keys(op.responses), route).toContain('401');
    }
    const securityOf = (path: string, method: string) => doc.paths[path]?.[method]?.security;
    expect(securityOf('/health', 'get')).toEqual([]);
    expect(securityOf('/', 'get')).toEqual([]);
    expect(securityOf('/openapi.json', 'get')).toEqual([]);
    expect(securityOf('/api/me', 'get')).toEqual([{ sessionCookie: [] }, { bearerToken: [] }]);
    // The cookie flow, or a service client's Basic credentials (client_secret_post has no scheme: the description says it).
    expect(securityOf('/auth/token', 'post')).toEqual([{ sessionCookie: [] }, { clientSecretBasic: [] }]);
    expect(securityOf('/auth/signout', 'post')).toEqual([{ sessionCookie: [] }, {}]);
  });

  it("describes this deployment: its origin as the server, its session cookie's name, declared tags", async () => {
    const doc = await documentOf();
    expect(doc.servers.map((s) => s.url)).toEqual([API]);
    expect(doc.components.securitySchemes.sessionCookie?.name).toBe(SESSION_COOKIE);
    const declared = new Map(doc.tags.map((t) => [t.name, t.description]));
    for (const { route, op } of operationsOf(doc)) {
      for (const tag of op.tags) expect(declared.get(tag), `${route} tag ${tag}`).toBeTruthy();
    }
  });

  const served = (override: Partial<Env>) =>
    createApp().request(
      `${override.AUTH_URL ?? API}/openapi.json`,
      {},
      { ...env, ...override },
      createExecutionContext(),
    );

  it('a plain-http localhost deployment gets its own origin and cookie name (no __Secure- prefix)', async () => {
    const local = { AUTH_URL: 'http://localhost:8787', APP_URL: 'http://localhost:8788/', COOKIE_DOMAIN: 'localhost' };
    const res = await served({ ...local, ALLOWED_ORIGINS: 'http://localhost:8788', GATES: '', APP_ACCESS: '' });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Document;
    expect(doc.servers.map((s) => s.url)).toEqual(['http://localhost:8787']);
    expect(doc.components.securitySchemes.sessionCookie?.name).toBe('sitewide.session');
    expect(JSON.stringify(doc)).not.toContain('sitewide.invalid');
  });

  it('without the built document in the assets: 500 misconfigured naming the fix, never a bare 500', async () => {
    const missing = { fetch: async () => new Response('Not Found', { status: 404 }) } as unknown as Fetcher;
    const res = await served({ ASSETS: missing });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('misconfigured');
    expect(body.error.message).toContain('npm run deploy');
  });
});
