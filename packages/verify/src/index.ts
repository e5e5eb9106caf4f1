/**
 * @sitewide/verify: verify a Sitewide session in a sibling backend.
 *
 * Web APIs only (fetch, Request, Headers, WebCrypto through jose): the same code runs on Node ≥ 20,
 * Cloudflare Workers, Next.js edge middleware, Bun and Deno. Nothing here throws for a refused
 * request: every outcome is a result object. The manual is README.md beside this package.
 */

export { signInPageUrl, signInUrl, signOutUrl } from './browser.ts';
export type { SitewideClient } from './client.ts';
export {
  SitewideClientTokenError,
  type SitewideClientTokenOptions,
  type SitewideClientTokenSource,
  sitewideClientToken,
} from './client-token.ts';
export { cookiePairs, type VerifyInput } from './cookies.ts';
export { accessDenied, errorBody, type SitewideErrorCode, type SitewideFailure } from './errors.ts';
export {
  GATE_ASSERTION_TYP,
  type GateAssertionInput,
  type GateAssertionOptions,
  type GateAssertionResult,
  verifyGateAssertion,
} from './gate-assertion.ts';
export type { SitewideBinding, SitewideRpcResult } from './refresh.ts';
export { ACCESS_TOKEN_TYP, SESSION_TOKEN_TYP } from './token.ts';
export { hasAnyRole, type SitewideSession, type SitewideUser } from './user.ts';
export {
  type CallerOf,
  createSitewideVerifier,
  type SitewideClientContext,
  type SitewideContext,
  type SitewideOk,
  type SitewideResult,
  type SitewideUserContext,
  type SitewideVerifier,
  type SitewideVerifierOptions,
} from './verifier.ts';
