/**
 * Errors of the client-credentials grant in RFC 6749 §5.2's shape, `{"error","error_description"}`,
 * which OAuth client libraries read. Every other failure of Sitewide (the cookie flow of
 * POST /auth/token included, and this grant's 429 and 503) keeps `{"error":{"code","message"}}`.
 */

/** RFC 6749 §5.2, plus RFC 8707's `invalid_target`. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target';

export interface OAuthFailure {
  error: OAuthErrorCode;
  description: string;
}

/** The body's shape, for the OpenAPI document. */
export const OAUTH_ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'string',
      enum: ['invalid_request', 'invalid_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target'],
    },
    error_description: { type: 'string' },
  },
};

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E (no `"`, no `\`, ASCII only). */
function descriptionText(text: string): string {
  return text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, '?').slice(0, 300);
}

/**
 * The response for a refused grant: 401 for `invalid_client`, with `WWW-Authenticate: Basic` (RFC
 * 6749 §5.2: required when the client sent Basic; sent for client_secret_post too, since a 401 must
 * name a scheme, RFC 9110 §15.5.2), else 400. Never stored (`Cache-Control: no-store`).
 */
export function oauthErrorResponse(failure: OAuthFailure, realm: string): Response {
  const unauthorized = failure.error === 'invalid_client';
  const headers = new Headers({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  if (unauthorized) headers.set('WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`);
  return Response.json(
    { error: failure.error, error_description: descriptionText(failure.description) },
    { status: unauthorized ? 401 : 400, headers },
  );
}
