/** Fresh secrets and keys, shared by `npm run dev` (.dev.vars) and `npm run keys:*`. */
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/** A new ES256 private JWK for SESSION_SIGNING_KEYS, with a dated, unique kid. */
export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `${new Date().toISOString().slice(0, 10)}-${randomBytes(4).toString('hex')}`;
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' };
}

/** 32 random bytes, base64url: AUTH_SECRET for Auth.js's own flow cookies. */
export function generateAuthSecret(): string {
  return randomBytes(32).toString('base64url');
}
