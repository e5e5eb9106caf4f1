/**
 * The client-credentials grant in `POST /auth/token`'s OpenAPI operation: the form-encoded body
 * beside the cookie flow's JSON, the `clientSecretBasic` scheme, and RFC 6749 §5.2 error bodies
 * beside Sitewide's own for 400 and 401.
 */
import { OPERATION, type Operation } from '../openapi/describe';
import { OAUTH_ERROR_SCHEMA } from './oauth-error';

type Json = Record<string, unknown>;

/** What the route's description says about this grant. */
export const CLIENT_CREDENTIALS_DESCRIPTION =
  'Two ways in. A signed-in browser (or a server holding the cookie) sends JSON {"audience"} with the session cookie. ' +
  'A service client (npm run admin -- clients create) sends a form: grant_type=client_credentials, optionally ' +
  'audience (or RFC 8707 resource; default: its only audience), and authenticates with HTTP Basic ' +
  '(client_secret_basic: form-encoded client_id:client_secret) or client_id and client_secret in the form ' +
  '(client_secret_post), exactly one of them. Its token is an RFC 9068 at+jwt with sub client:<id>, client_id, ' +
  'aud, roles, jti, iat, exp; no cookie is read and no Origin is checked. Its errors are RFC 6749 section 5.2 ' +
  'bodies ({"error","error_description"}: invalid_request, invalid_client (401, WWW-Authenticate: Basic), ' +
  "unsupported_grant_type, invalid_scope, invalid_target); its 429 and 503 are Sitewide's own. See docs/clients.md.";

const FORM_BODY = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: { const: 'client_credentials' },
    audience: { type: 'string', description: "One of the client's audiences (default: its only one)" },
    resource: { type: 'string', description: 'RFC 8707: the same as audience' },
    client_id: { type: 'string', description: 'client_secret_post (or beside Basic, the same id)' },
    client_secret: { type: 'string', description: 'client_secret_post' },
  },
};

function withOAuthErrors(response: Json | undefined): Json | undefined {
  const content = response?.content as Record<string, { schema: Json }> | undefined;
  const json = content?.['application/json'];
  if (!response || !json) return response;
  return {
    ...response,
    description: `${String(response.description)}; or, for grant_type=client_credentials, an RFC 6749 error`,
    content: { 'application/json': { schema: { oneOf: [json.schema, OAUTH_ERROR_SCHEMA] } } },
  };
}

/** Adds the grant to a `documented(...)` middleware's operation; returns the same middleware. */
export function withClientCredentialsDoc<T extends object>(middleware: T): T {
  const operation = (middleware as { [OPERATION]?: Operation })[OPERATION];
  if (!operation) return middleware;
  const requestBody = operation.requestBody as { content: Record<string, unknown> } | undefined;
  if (requestBody) {
    requestBody.content['application/x-www-form-urlencoded'] = { schema: FORM_BODY };
  }
  const responses = operation.responses as Record<string, Json | undefined>;
  responses['400'] = withOAuthErrors(responses['400']);
  responses['401'] = withOAuthErrors(responses['401']);
  operation.security = [...(operation.security as Json[]), { clientSecretBasic: [] }];
  return middleware;
}
