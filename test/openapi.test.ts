import { describe, expect, it } from 'vitest';
import { api } from './support/sign-in';

interface Operation {
  summary: string;
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
  it('describes every public route, generated from the route definitions', async () => {
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
        'POST /auth/token',
        'GET /auth/diagnose',
        'GET /auth/signin',
        'GET /auth/csrf',
        'POST /auth/signin/{provider}',
        'GET /auth/callback/{provider}',
        'POST /auth/signout',
        'GET /auth/error',
        'GET /api/me',
        'GET /api/sessions',
        'POST /api/sessions/revoke-all',
        'POST /api/sessions/{id}/revoke',
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
    expect(codes('403')).toEqual(['user_disabled', 'csrf_rejected']);
    expect(codes('503')).toEqual(['service_unavailable']);
    const token = doc.paths['/auth/token']?.post;
    expect(
      token?.responses['400']?.content?.['application/json'].schema.properties?.error?.properties.code.enum,
    ).toEqual(['invalid_audience', 'validation_failed']);
  });
});
