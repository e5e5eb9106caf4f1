import type { Context, Hono } from 'hono';
import type { AppEnv } from '../app-env';
import type { Config } from '../config/config';
import { OPERATION, type Operation, TAGS } from './describe';

// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its route schema
type AnyHono = Hono<any, any, any>;

/** What the document says about one deployment: where it answers, and its session cookie's name. */
export type DocumentedDeployment = Pick<Config, 'apiOrigin' | 'sessionCookieName'>;

/**
 * A stable camelCase operationId from the method and the path: `GET /api/me` →
 * `getMe`, `POST /auth/signin/:provider` → `postAuthSigninProvider`, `GET /` →
 * `getRoot`. The `/api` prefix is dropped (every route there is the API).
 */
export function operationIdOf(method: string, path: string): string {
  const words = path
    .replace(/^\/api(?=\/)/, '')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const title = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  return method.toLowerCase() + (words.length ? words : ['root']).map(title).join('');
}

/** Builds the OpenAPI 3.1 document from the app's routes and the operations `documented()` attached to them. */
export function buildOpenApiDocument(app: AnyHono, deployment: DocumentedDeployment) {
  const paths: Record<string, Record<string, Operation>> = {};
  const used = new Set<string>();
  for (const route of app.routes) {
    const operation = (route.handler as unknown as { [OPERATION]?: Operation })[OPERATION];
    if (!operation || route.method === 'ALL') continue;
    const names = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1] as string);
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters = names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    for (const tag of operation.tags as string[]) used.add(tag);
    paths[path] = {
      ...paths[path],
      [route.method.toLowerCase()]: {
        operationId: operationIdOf(route.method, route.path),
        ...operation,
        ...(parameters.length ? { parameters } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sitewide',
      version: '0.1.0',
      description:
        'One Google sign-in for every subdomain of a site. Every failure answers {"error":{"code","message"}}; switch on code.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    // The origin of the deployment that serves this document (AUTH_URL): each deployment describes itself.
    servers: [{ url: deployment.apiOrigin, description: 'This deployment (its AUTH_URL)' }],
    tags: Object.entries(TAGS)
      .filter(([name]) => used.has(name))
      .map(([name, description]) => ({ name, description })),
    components: {
      securitySchemes: {
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          // The deployment's own name: `__Secure-sitewide.session` over https, `sitewide.session` on plain-http localhost.
          name: deployment.sessionCookieName,
          description: 'The session cookie set at sign-in (a compact JWS, ES256), shared by every subdomain',
        },
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT (at+jwt, ES256)',
          description: 'An access token from POST /auth/token whose audience is this API',
        },
        clientSecretBasic: {
          type: 'http',
          scheme: 'basic',
          description:
            "A service client's form-encoded id and secret (RFC 6749 section 2.3.1), for grant_type=client_credentials",
        },
      },
    },
    paths,
  };
}

/**
 * `GET /openapi.json`: generated from the app's own route definitions on the
 * first request, for the deployment's config (one per isolate), then reused.
 */
export function openApiDocument(app: AnyHono) {
  const documents = new WeakMap<Config, ReturnType<typeof buildOpenApiDocument>>();
  return function openApi(c: Context<AppEnv>) {
    const { config } = c.var;
    let document = documents.get(config);
    if (!document) {
      document = buildOpenApiDocument(app, config);
      documents.set(config, document);
    }
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(document);
  };
}
