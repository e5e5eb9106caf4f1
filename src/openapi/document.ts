/**
 * The OpenAPI 3.1 document, built from src/openapi/operations.ts by scripts/openapi.ts into
 * public/openapi.json (build time only: none of this is in the Worker's bundle).
 */
import type { Config } from '../config/config';
import { type Operation, operationOf, type RouteDoc, TAGS } from './describe';

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

/** Builds the document from each route's RouteDoc, keyed `METHOD /path/{param}`. */
export function buildOpenApiDocument(operations: Record<string, RouteDoc>, deployment: DocumentedDeployment) {
  const paths: Record<string, Record<string, Operation>> = {};
  const used = new Set<string>();
  for (const [route, doc] of Object.entries(operations)) {
    const [method = '', path = ''] = route.split(' ');
    const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
    const parameters = names.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    for (const tag of doc.tags) used.add(tag);
    paths[path] = {
      ...paths[path],
      [method.toLowerCase()]: {
        operationId: operationIdOf(method, path),
        ...operationOf(doc),
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
