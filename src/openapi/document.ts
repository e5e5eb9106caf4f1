import type { Context, Hono } from 'hono';
import { OPERATION, type Operation } from './describe';

// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its route schema
type AnyHono = Hono<any, any, any>;

/** Builds the OpenAPI 3.1 document from the app's routes and the operations `documented()` attached to them. */
export function buildOpenApiDocument(app: AnyHono) {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of app.routes) {
    const operation = (route.handler as unknown as { [OPERATION]?: Operation })[OPERATION];
    if (!operation || route.method === 'ALL') continue;
    const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters = names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    paths[path] = {
      ...paths[path],
      [route.method.toLowerCase()]: { ...operation, ...(parameters.length ? { parameters } : {}) },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sitewide',
      version: '0.1.0',
      description:
        'One Google sign-in for every subdomain of a site. Every failure answers {"error":{"code","message"}}; switch on code.',
    },
    components: {
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: '__Secure-sitewide.session' },
        bearerToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (at+jwt, ES256)' },
      },
    },
    paths,
  };
}

/** `GET /openapi.json`: generated once per isolate from the app's own route definitions. */
export function openApiDocument(app: AnyHono) {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  return function openApi(c: Context) {
    document ??= buildOpenApiDocument(app);
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(document);
  };
}
