/**
 * Sitewide's own `/api/*` routes are a person's (`/api/me`, the sessions): they refuse a service
 * client's token with `403 client_not_allowed`, a clearer answer than the `401 invalid_session` a
 * token without `sid` would otherwise get. Sibling APIs accept client tokens with the kit's
 * `allowClients: true`.
 */
import type { Config } from '../config/config';
import { type ApiError, apiError } from '../errors';
import type { SigningKeys } from '../session/keys';
import { claimsClientSubject, verifyClientToken } from './client-token';

/**
 * The refusal for a Bearer token that did not verify as a user's: `403 client_not_allowed` when it is
 * a genuine client token for this API, else undefined (the caller answers its usual 401).
 */
export async function clientTokenRefusal(
  token: string,
  keys: SigningKeys,
  config: Pick<Config, 'apiOrigin' | 'accessTokenTtl'>,
): Promise<ApiError | undefined> {
  if (!claimsClientSubject(token)) return undefined;
  const claims = await verifyClientToken(token, keys, {
    issuer: config.apiOrigin,
    audience: config.apiOrigin,
    maxLifetime: config.accessTokenTtl,
  });
  if (!claims) return undefined;
  return apiError(
    403,
    'client_not_allowed',
    "This route is a signed-in person's: a service client's token (sub client:<id>) is not accepted here",
    {
      headers: {
        'WWW-Authenticate': `Bearer realm="${config.apiOrigin}", error="insufficient_scope", error_description="client tokens are not accepted here"`,
      },
    },
  );
}
