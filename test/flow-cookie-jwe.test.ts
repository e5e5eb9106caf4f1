import { hkdf } from '@panva/hkdf';
import * as jose from 'jose';
import { describe, expect, it } from 'vitest';
import { EncryptJWT, jwtDecrypt } from '../src/bundle/flow-cookie-jwe';

// The bundle's stand-in for jose's JWE (src/bundle/jose-in-worker.ts), checked against jose itself,
// which the vitest plugin still resolves (it does not apply wrangler's [alias]): both directions
// with Auth.js's exact parameters, then every way a cookie can be wrong.

const ENC = 'A256CBC-HS512';
const OPTIONS = { clockTolerance: 15, keyManagementAlgorithms: ['dir'], contentEncryptionAlgorithms: [ENC, 'A256GCM'] };
const now = () => Math.floor(Date.now() / 1000);

/** Auth.js's key for a cookie: HKDF-SHA-256 of AUTH_SECRET, salted with the cookie name (@auth/core jwt.js). */
async function cookieKey(secret = 'a-secret-for-tests', salt = '__Secure-authjs.pkce.code_verifier') {
  return hkdf('sha256', secret, salt, `Auth.js Generated Encryption Key (${salt})`, 64);
}

async function ours(payload: Record<string, unknown>, key: Uint8Array, exp = now() + 900) {
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: ENC, kid: 'k' })
    .setIssuedAt()
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .encrypt(key);
}

async function josesOwn(payload: Record<string, unknown>, key: Uint8Array, exp = now() + 900, enc = ENC) {
  return new jose.EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc, kid: 'k' })
    .setIssuedAt()
    .setExpirationTime(exp)
    .setJti(crypto.randomUUID())
    .encrypt(key);
}

/** Flips one bit of the given part (0 protected header, 2 iv, 3 ciphertext, 4 tag) of a compact JWE. */
function tamper(token: string, part: number): string {
  const parts = token.split('.');
  const bytes = jose.base64url.decode(parts[part] ?? '');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  parts[part] = jose.base64url.encode(bytes);
  return parts.join('.');
}

describe("Auth.js's flow-cookie JWE in the bundle (dir + A256CBC-HS512), against jose", () => {
  it('what it encrypts, jose decrypts: same header, same claims', async () => {
    const key = await cookieKey();
    const token = await ours({ value: 'pkce-verifier' }, key);
    const { payload, protectedHeader } = await jose.jwtDecrypt(token, key, OPTIONS);
    expect(protectedHeader).toEqual({ alg: 'dir', enc: ENC, kid: 'k' });
    expect(payload).toMatchObject({ value: 'pkce-verifier' });
    expect(typeof payload.iat).toBe('number');
    expect(typeof payload.jti).toBe('string');
  });

  it("what jose encrypts, it decrypts, handing the header to the key getter as Auth.js's decode expects", async () => {
    const key = await cookieKey();
    const token = await josesOwn({ value: 'state' }, key);
    let seen: unknown;
    const { payload } = await jwtDecrypt(
      token,
      (header) => {
        seen = header;
        return key;
      },
      OPTIONS,
    );
    expect(payload).toMatchObject({ value: 'state' });
    expect(seen).toMatchObject({ alg: 'dir', enc: ENC, kid: 'k' });
  });

  for (const [part, name] of [
    [0, 'protected header'],
    [2, 'IV'],
    [3, 'ciphertext'],
    [4, 'authentication tag'],
  ] as const) {
    it(`a flipped bit in the ${name}: refused`, async () => {
      const key = await cookieKey();
      const token = tamper(await ours({ value: 'nonce' }, key), part);
      await expect(jwtDecrypt(token, () => key, OPTIONS)).rejects.toThrow();
      await expect(jose.jwtDecrypt(token, key, OPTIONS)).rejects.toThrow();
    });
  }

  it('another key (another secret, or another cookie salt): ERR_JWE_DECRYPTION_FAILED', async () => {
    const token = await ours({ value: 'x' }, await cookieKey());
    for (const key of [await cookieKey('another-secret'), await cookieKey(undefined, 'authjs.state')]) {
      await expect(jwtDecrypt(token, () => key, OPTIONS)).rejects.toMatchObject({ code: 'ERR_JWE_DECRYPTION_FAILED' });
    }
  });

  it('expired: refused past the 15 s clock tolerance, accepted within it', async () => {
    const key = await cookieKey();
    await expect(jwtDecrypt(await ours({}, key, now() - 20), () => key, OPTIONS)).rejects.toMatchObject({
      code: 'ERR_JWT_EXPIRED',
    });
    await expect(jwtDecrypt(await ours({}, key, now() - 5), () => key, OPTIONS)).resolves.toBeTruthy();
  });

  it('any other content encryption (A256GCM, which jose would accept here) or a truncated token: refused', async () => {
    const key = await cookieKey();
    const gcm = await josesOwn({ value: 'x' }, key.slice(0, 32), now() + 900, 'A256GCM');
    await expect(jwtDecrypt(gcm, () => key.slice(0, 32), OPTIONS)).rejects.toMatchObject({
      code: 'ERR_JOSE_ALG_NOT_ALLOWED',
    });
    const token = await ours({}, key);
    await expect(jwtDecrypt(token.split('.').slice(0, 4).join('.'), () => key, OPTIONS)).rejects.toMatchObject({
      code: 'ERR_JWE_INVALID',
    });
  });

  it('a key of the wrong size: a TypeError (a bug, not a bad cookie)', async () => {
    await expect(ours({}, new Uint8Array(32))).rejects.toThrow(TypeError);
  });
});
