/**
 * A real OIDC provider on loopback standing in for Google (dev and tests):
 * discovery, JWKS, authorization code + PKCE, id_token with nonce, signed RS256.
 * It is lax where Google is strict (any client id/secret, any redirect_uri),
 * so Sitewide's own checks are what the tests exercise.
 *
 * Which Google account signs in is chosen by the `login_hint` authorization
 * parameter (Auth.js forwards query parameters of POST /auth/signin/google);
 * see identityFromHint.
 */
import { OAuth2Server } from 'oauth2-mock-server';
import { DEFAULT_IDENTITY, type GoogleIdentity, identityFromHint } from './google-identity.ts';

export interface RunningOidcServer {
  issuer: string;
  stop(): Promise<void>;
}

export async function startOidcServer(options: { host?: string; port?: number } = {}): Promise<RunningOidcServer> {
  const host = options.host ?? '127.0.0.1';
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(options.port ?? 0, host);
  const address = server.address();
  const issuer = `http://${host}:${address.port}`;
  // oauth2-mock-server says "localhost" unless told; the id_token `iss` must equal the discovery URL.
  server.issuer.url = issuer;

  const identityByCode = new Map<string, GoogleIdentity>();
  server.service.on('beforeAuthorizeRedirect', (redirect: { url: URL }, req: { url?: string }) => {
    const hint = new URL(req.url ?? '/', issuer).searchParams.get('login_hint');
    const code = redirect.url.searchParams.get('code');
    if (code) identityByCode.set(code, identityFromHint(hint));
  });
  server.service.on(
    'beforeTokenSigning',
    (token: { payload: Record<string, unknown> }, req: { body?: { code?: string } }) => {
      const code = req.body?.code;
      Object.assign(token.payload, (code && identityByCode.get(code)) || DEFAULT_IDENTITY);
    },
  );

  return { issuer, stop: () => server.stop() };
}
