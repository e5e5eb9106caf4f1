/** The parts of the fresh-cookie path on their own (bench/cases.ts MICRO_CASES): same token and keys as the cases. */
import type { MicroCaseName } from '../cases';
import { signSessionToken, snapshotOf, verifySessionToken } from './app';
import { freshToken } from './tokens';

const b64urlBytes = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (ch) => ch.charCodeAt(0));

let ed25519: Promise<CryptoKeyPair> | undefined;
let hmac: Promise<CryptoKey> | undefined;

/** One request log line as the app writes it (src/log.ts: JSON.stringify + console.log). */
const logLine = () =>
  JSON.stringify({
    level: 'info',
    msg: 'request',
    request_id: crypto.randomUUID(),
    method: 'GET',
    path: '/bench/bare',
    status: 200,
    duration_ms: 0,
  });

export async function microOps(env: Env): Promise<Record<MicroCaseName, () => Promise<unknown>>> {
  const { keys, ctx, config, input, fresh } = await freshToken(env);
  const [header = '', payload = '', signature = ''] = fresh.split('.');
  const signingInput = new TextEncoder().encode(`${header}.${payload}`);
  const sig = b64urlBytes(signature);
  const publicKey = keys.verify.get(keys.current.kid) as CryptoKey;
  ed25519 ??= crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
  const pair = await ed25519;
  const edSig = await crypto.subtle.sign({ name: 'Ed25519' }, pair.privateKey, signingInput);
  hmac ??= crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]) as Promise<CryptoKey>;
  const key = await hmac;
  const mac = await crypto.subtle.sign('HMAC', key, signingInput);
  const verified = await verifySessionToken(fresh, keys, ctx);
  if (!verified.ok) throw new Error(`the bench token does not verify: ${verified.code}`);
  const cache = new Map([[fresh, verified]]);
  return {
    'verify-es256-webcrypto': () =>
      crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, sig, signingInput),
    // A key set object not seen before misses the product's verified-token cache: the full jose check.
    'verify-jose': () => verifySessionToken(fresh, { ...keys }, ctx),
    'sign-jose': () => signSessionToken(input, keys, ctx),
    'verify-ed25519-webcrypto': () => crypto.subtle.verify({ name: 'Ed25519' }, pair.publicKey, edSig, signingInput),
    'verify-hs256-webcrypto': () => crypto.subtle.verify('HMAC', key, mac, signingInput),
    'verified-token-cache-hit': async () => {
      const hit = cache.get(fresh);
      if (!hit?.ok || hit.claims.exp * 1000 <= Date.now()) throw new Error('miss');
      return hit;
    },
    // What requireSession's isRevoked adds: the snapshot (polled every REVOCATION_POLL) asked about the token.
    'revocation-snapshot-check': async () => {
      const snapshot = snapshotOf(env, config);
      const polling = snapshot.fresh((promise) => promise.catch(() => {}));
      if (polling) await polling;
      return snapshot.refuses(verified.claims);
    },
    'console-log-line': async () => console.log(logLine()),
  };
}
