/**
 * The document `GET /openapi.json` serves, built from the app's own routes outside the Worker,
 * for scripts/lint-openapi.ts. Worker code, so it is typechecked with the Worker's tsconfig.json
 * (and excluded from tsconfig.node.json, whose Node types lack Env, D1Database…).
 */
import { createApp } from '../src/app';
import { parseConfig } from '../src/config/config';
import { buildOpenApiDocument } from '../src/openapi/document';

/** For a deployment as vitest.config.ts configures one (https, so `__Secure-sitewide.session`). */
export function openApiDocumentForLint(): unknown {
  // Only AUTH_URL (the server) and the session cookie's name (from AUTH_URL's scheme) reach the
  // document; the secrets are placeholders that merely pass parseConfig.
  const config = parseConfig({
    AUTH_URL: 'https://api.example.test',
    APP_URL: 'https://app.example.test/',
    COOKIE_DOMAIN: 'example.test',
    AUTH_SECRET: 'placeholder-placeholder-placeholder',
    AUTH_GOOGLE_ID: 'placeholder',
    AUTH_GOOGLE_SECRET: 'placeholder',
    SESSION_SIGNING_KEYS: '[]',
  });
  return buildOpenApiDocument(createApp(), config);
}
