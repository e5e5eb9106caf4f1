/**
 * The client-credentials grant in `POST /auth/token`'s OpenAPI operation: the form-encoded body
 * beside the cookie flow's JSON, the `clientSecretBasic` scheme, and RFC 6749 §5.2 error bodies
 * beside Sitewide's own for 400 and 401.
 */
import type { Operation } from '../openapi/describe';
import { OAUTH_ERROR_SCHEMA } from './oauth-error';

type Json = Record<string, unknown>;

/** What the route's description says about this grant. */
export const CLIENT_CREDENTIALS_DESCRIPTION =
  'A signed-in browser sends JSON {"audience"} with its cookie. A service client sends a form, ' +
  'grant_type=client_credentials (audience or resource optional), with HTTP Basic or client_id and ' +
  'client_secret in the form; it gets an at+jwt with sub client:<id>, and RFC 6749 errors. See docs/clients.md.';

const FORM_BODY = {
  type: 'object',
  required: ['grant_type'],
  properties: {
    grant_type: { const: 'client_credentials' },
    audience: { type: 'string' },
    resource: { type: 'string' },
    client_id: { type: 'string' },
    client_secret: { type: 'string' },
  },
};

function withOAuthErrors(response: Json | undefined): Json | undefined {
  const content = response?.content as Record<string, { schema: Json }> | undefined;
  const json = content?.['application/json'];
  if (!response || !json) return response;
  return {
    ...response,
    description: `${String(response.description)}; or an RFC 6749 error`,
    content: { 'application/json': { schema: { oneOf: [json.schema, OAUTH_ERROR_SCHEMA] } } },
  };
}

/** Adds the grant to `POST /auth/token`'s operation (RouteDoc.amend, src/openapi/operations.ts). */
export function amendForClientCredentials(operation: Operation): void {
  const requestBody = operation.requestBody as { content: Record<string, unknown> } | undefined;
  if (requestBody) requestBody.content['application/x-www-form-urlencoded'] = { schema: FORM_BODY };
  const responses = operation.responses as Record<string, Json | undefined>;
  responses['400'] = withOAuthErrors(responses['400']);
  responses['401'] = withOAuthErrors(responses['401']);
  operation.security = [...(operation.security as Json[]), { clientSecretBasic: [] }];
}
