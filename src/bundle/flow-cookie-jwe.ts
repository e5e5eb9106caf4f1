// Subpaths: the bundle aliases `jose` itself to src/bundle/jose-in-worker.ts, which re-exports this file.
import * as base64url from 'jose/base64url';
import * as errors from 'jose/errors';

/**
 * The one JWE Auth.js makes: its flow cookies (PKCE verifier, state, nonce)
 * are compact JWEs with `alg: "dir"` and
 * `enc: "A256CBC-HS512"` under a 64-byte key it derives from AUTH_SECRET
 * (@auth/core jwt.js `encode`/`decode`). jose's general JWE (every key
 * management and content encryption algorithm, compression) is 17 KiB of the
 * Worker's minified bundle for this; in the bundle, `EncryptJWT` and `jwtDecrypt` are
 * these two, with the same API as far as Auth.js uses it (src/bundle/jose-in-worker.ts).
 *
 * AES-256-CBC + HMAC-SHA-512 per RFC 7518 §5.2.2 and §5.2.5; compact
 * serialization per RFC 7516 §7.1. test/flow-cookie-jwe.test.ts checks both
 * directions against jose itself. Anything else (another `alg` or `enc`, `zip`,
 * `crit`) is refused.
 */
const ALG = 'dir';
const ENC = 'A256CBC-HS512';
const KEY_BYTES = 64;

type Payload = Record<string, unknown>;
interface ProtectedHeader {
  alg: string;
  enc: string;
  kid?: string;
  [parameter: string]: unknown;
}

/** jose's `new EncryptJWT(payload).setProtectedHeader(...)...encrypt(key)`, for Auth.js's one use. */
export class EncryptJWT {
  readonly #payload: Payload;
  #header: ProtectedHeader | undefined;

  constructor(payload: Payload = {}) {
    this.#payload = { ...payload };
  }
  setProtectedHeader(header: ProtectedHeader): this {
    this.#header = header;
    return this;
  }
  setIssuedAt(seconds = Math.floor(Date.now() / 1000)): this {
    this.#payload.iat = seconds;
    return this;
  }
  setExpirationTime(seconds: number): this {
    if (!Number.isSafeInteger(seconds)) throw new TypeError('setExpirationTime takes a NumericDate (seconds) here');
    this.#payload.exp = seconds;
    return this;
  }
  setJti(jti: string): this {
    this.#payload.jti = jti;
    return this;
  }
  async encrypt(key: Uint8Array): Promise<string> {
    const header = this.#header;
    if (header?.alg !== ALG || header.enc !== ENC) throw new errors.JOSENotSupported(`only ${ALG} with ${ENC}`);
    const { macKey, encKey } = await importKeys(key, 'encrypt');
    const protectedB64 = base64url.encode(JSON.stringify(header));
    const iv = crypto.getRandomValues(new Uint8Array(16));
    const plaintext = new TextEncoder().encode(JSON.stringify(this.#payload));
    const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv }, encKey, plaintext));
    const tag = await authenticationTag(macKey, protectedB64, iv, ciphertext);
    return `${protectedB64}..${base64url.encode(iv)}.${base64url.encode(ciphertext)}.${base64url.encode(tag)}`;
  }
}

/** jose's `jwtDecrypt(token, getKey, options)`, for Auth.js's one use: `dir` + A256CBC-HS512, exp/nbf checked. */
export async function jwtDecrypt(
  token: string,
  getKey: (header: ProtectedHeader) => Promise<Uint8Array> | Uint8Array,
  options: { clockTolerance?: number; keyManagementAlgorithms?: string[]; contentEncryptionAlgorithms?: string[] } = {},
): Promise<{ payload: Payload; protectedHeader: ProtectedHeader }> {
  const parts = typeof token === 'string' ? token.split('.') : [];
  const [protectedB64 = '', encryptedKey, ivB64 = '', ciphertextB64 = '', tagB64 = ''] = parts;
  if (parts.length !== 5 || encryptedKey !== '') throw new errors.JWEInvalid('not a compact JWE with alg "dir"');
  const header = parseObject(decodeBytes(protectedB64), 'protected header') as ProtectedHeader;
  const allowedAlg = options.keyManagementAlgorithms ?? [ALG];
  const allowedEnc = options.contentEncryptionAlgorithms ?? [ENC];
  if (header.alg !== ALG || !allowedAlg.includes(ALG)) throw new errors.JOSEAlgNotAllowed('"alg" not allowed');
  if (header.enc !== ENC || !allowedEnc.includes(ENC)) throw new errors.JOSEAlgNotAllowed('"enc" not allowed');
  if ('zip' in header || 'crit' in header) throw new errors.JOSENotSupported('"zip" and "crit" are not supported');

  const { macKey, encKey } = await importKeys(await getKey(header), 'decrypt');
  const iv = decodeBytes(ivB64);
  const ciphertext = decodeBytes(ciphertextB64);
  const tag = decodeBytes(tagB64);
  const expected = await authenticationTag(macKey, protectedB64, iv, ciphertext);
  if (iv.length !== 16 || !equalInConstantTime(tag, expected)) {
    throw new errors.JWEDecryptionFailed();
  }
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt({ name: 'AES-CBC', iv }, encKey, ciphertext);
  } catch (cause) {
    throw new errors.JWEDecryptionFailed(undefined, { cause });
  }
  const payload = parseObject(new Uint8Array(plaintext), 'payload');
  checkTimes(payload, options.clockTolerance ?? 0);
  return { payload, protectedHeader: header };
}

/** The MAC key is the first half, the AES key the second (RFC 7518 §5.2.2.1). */
async function importKeys(key: unknown, usage: 'encrypt' | 'decrypt') {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new TypeError(`${ENC} with "dir" takes a ${KEY_BYTES}-byte key`);
  }
  const [macKey, encKey] = await Promise.all([
    crypto.subtle.importKey('raw', key.slice(0, 32), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']),
    crypto.subtle.importKey('raw', key.slice(32), 'AES-CBC', false, [usage]),
  ]);
  return { macKey, encKey };
}

/** HMAC-SHA-512 over AAD || IV || ciphertext || AL (AAD's length in bits, 64-bit big-endian), first 32 bytes. */
async function authenticationTag(
  macKey: CryptoKey,
  protectedB64: string,
  iv: Uint8Array<ArrayBuffer>,
  ciphertext: Uint8Array<ArrayBuffer>,
) {
  const aad = new TextEncoder().encode(protectedB64);
  const input = new Uint8Array(aad.length + iv.length + ciphertext.length + 8);
  input.set(aad, 0);
  input.set(iv, aad.length);
  input.set(ciphertext, aad.length + iv.length);
  new DataView(input.buffer).setBigUint64(input.length - 8, BigInt(aad.length * 8));
  return new Uint8Array(await crypto.subtle.sign('HMAC', macKey, input)).slice(0, 32);
}

/** Compares two MACs without an early exit on the first differing byte. */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length && i < b.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

function decodeBytes(part: string): Uint8Array<ArrayBuffer> {
  try {
    return new Uint8Array(base64url.decode(part));
  } catch {
    throw new errors.JWEInvalid('a JWE part is not base64url');
  }
}

function parseObject(bytes: Uint8Array, what: string): Payload {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new errors.JWEInvalid(`the JWE ${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new errors.JWEInvalid(`the JWE ${what} is not a JSON object`);
  }
  return value as Payload;
}

/** exp and nbf as jose checks them (NumericDates, with the clock tolerance); iat must be a number if present. */
function checkTimes(payload: Payload, tolerance: number) {
  const now = Math.floor(Date.now() / 1000);
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (claim in payload && typeof payload[claim] !== 'number') {
      throw new errors.JWTClaimValidationFailed(`"${claim}" claim must be a number`, payload, claim, 'invalid');
    }
  }
  if (typeof payload.exp === 'number' && payload.exp <= now - tolerance) {
    throw new errors.JWTExpired('"exp" claim timestamp check failed', payload, 'exp', 'check_failed');
  }
  if (typeof payload.nbf === 'number' && payload.nbf > now + tolerance) {
    throw new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', payload, 'nbf', 'check_failed');
  }
}
