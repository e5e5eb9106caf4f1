/**
 * `jose` as the Worker's bundle sees it (wrangler.toml `[alias]`): the JWS
 * half we and Auth.js use, from jose's own subpath exports, and for Auth.js's
 * flow cookies its one JWE (src/bundle/flow-cookie-jwe.ts) instead of jose's
 * general one (every key management and content encryption algorithm: 17 KiB
 * minified; the bundle shrank 4.3 KiB gzip with this file). Types still come from jose itself: the alias
 * is the bundler's only. A value imported from `jose` that is not listed here
 * fails the build ("No matching export"), never the request.
 */
export * as base64url from 'jose/base64url';
export { decodeProtectedHeader } from 'jose/decode/protected_header';
export * as errors from 'jose/errors';
export { calculateJwkThumbprint } from 'jose/jwk/thumbprint';
export { decodeJwt } from 'jose/jwt/decode';
export { SignJWT } from 'jose/jwt/sign';
export { jwtVerify } from 'jose/jwt/verify';
export { importJWK } from 'jose/key/import';
export { EncryptJWT, jwtDecrypt } from './flow-cookie-jwe';
