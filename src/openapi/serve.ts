/**
 * `GET /openapi.json`: the document built by `npm run build` (scripts/openapi.ts →
 * public/openapi.json, from src/openapi/operations.ts), read from the Worker's static assets
 * (the ASSETS binding) once per isolate and config, with this deployment's origin and cookie name.
 * The descriptions never enter the bundle.
 */
import type { Context } from 'hono';
import type { AppEnv } from '../app-env';
import type { Config } from '../config/config';
import { apiError } from '../errors';

/** The deployment the built document describes; each deployment puts its own in their place. */
export const BUILT_FOR = { apiOrigin: 'https://sitewide.invalid', sessionCookieName: '__Secure-sitewide.session' };
export const DOCUMENT_PATH = '/openapi.json';

const documents = new WeakMap<Config, string>();

async function readBuiltDocument(assets: Fetcher | undefined, config: Config): Promise<string> {
  const res = await assets?.fetch(new Request(new URL(DOCUMENT_PATH, config.apiOrigin)));
  if (!res?.ok) {
    throw apiError(
      500,
      'misconfigured',
      'public/openapi.json is not in the deployed assets: deploy with npm run deploy (npm run build makes it)',
    );
  }
  const json = (value: string) => JSON.stringify(value);
  return (await res.text())
    .replaceAll(json(BUILT_FOR.apiOrigin), json(config.apiOrigin))
    .replaceAll(json(BUILT_FOR.sessionCookieName), json(config.sessionCookieName));
}

export async function openApiDocument(c: Context<AppEnv>) {
  const { config } = c.var;
  let document = documents.get(config);
  if (document === undefined) {
    document = await readBuiltDocument(c.env.ASSETS, config);
    documents.set(config, document);
  }
  c.header('Cache-Control', 'public, max-age=300');
  c.header('Content-Type', 'application/json; charset=UTF-8');
  return c.body(document);
}
