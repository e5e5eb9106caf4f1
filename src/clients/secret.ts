/**
 * A service client's secret: 256 random bits shown once, stored only as its SHA-256 (hex). A hash
 * without a salt or a slow KDF is enough here: the secret is random, not a password, so there is
 * nothing to guess from its hash. Comparisons of hashes take the same time whatever they hold.
 * Web Crypto only, no imports: the Worker and the admin CLI (Node) run this same file.
 */

/** Secrets start with this, so that secret scanners (and people) can tell what a leaked one is. */
export const SECRET_PREFIX = 'sws_';

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A new secret: `sws_` + 32 random bytes, base64url (47 characters; nothing to escape in a form or a shell). */
export function newClientSecret(): string {
  return SECRET_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** SHA-256 of the secret's UTF-8 bytes. */
export async function hashSecretBytes(secret: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)));
}

/** SHA-256 of the secret, lower-case hex: what `service_clients.secret_hash` stores. */
export async function hashClientSecret(secret: string): Promise<string> {
  return toHex(await hashSecretBytes(secret));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** 32 bytes from 64 hex digits; a stored value of another shape gives 32 zero bytes (it matches no hash). */
export function fromHex(hex: string | null | undefined): Uint8Array {
  const bytes = new Uint8Array(32);
  if (typeof hex !== 'string' || !/^[0-9a-f]{64}$/.test(hex)) return bytes;
  for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Compares two byte strings of equal length in time that depends on their length only. */
export type ConstantTimeEqual = (a: Uint8Array, b: Uint8Array) => boolean;

/**
 * workerd's `crypto.subtle.timingSafeEqual` (a Cloudflare extension) when there is one; else a loop
 * that visits every byte and branches on none (Node, for the CLI's tests).
 */
export const constantTimeEqual: ConstantTimeEqual = (a, b) => {
  if (a.length !== b.length) return false;
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (x: Uint8Array, y: Uint8Array) => boolean };
  if (typeof subtle.timingSafeEqual === 'function') return subtle.timingSafeEqual(a, b);
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] as number) ^ (b[i] as number);
  return difference === 0;
};
