import { type CryptoKey, importJWK, type JWK } from 'jose';
import { ConfigError } from '../config/config';

export const SIGNING_ALG = 'ES256';

/** Imported signing material: sign with `current`, verify with any key in `verify` by `kid`. */
export interface SigningKeys {
  current: { kid: string; privateKey: CryptoKey };
  verify: ReadonlyMap<string, CryptoKey>;
  /** Public JWKs (no private members), newest first. */
  publicJwks: readonly JWK[];
}

function parseJwkList(json: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new ConfigError('SESSION_SIGNING_KEYS is not valid JSON; expected a JSON array of private JWKs');
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError('SESSION_SIGNING_KEYS must be a non-empty JSON array of private JWKs, newest first');
  }
  const kids = new Set<string>();
  return parsed.map((jwk: JWK, i) => {
    const where = `SESSION_SIGNING_KEYS[${i}]`;
    if (typeof jwk !== 'object' || jwk === null) throw new ConfigError(`${where} is not a JWK object`);
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) {
      throw new ConfigError(`${where} must be an ES256 private key (kty EC, crv P-256, with d); run npm run keys:new`);
    }
    if (jwk.alg !== undefined && jwk.alg !== SIGNING_ALG)
      throw new ConfigError(`${where} has alg '${jwk.alg}', expected ES256`);
    if (!jwk.kid) throw new ConfigError(`${where} has no kid`);
    if (kids.has(jwk.kid)) throw new ConfigError(`${where} repeats kid '${jwk.kid}'`);
    kids.add(jwk.kid);
    return jwk;
  });
}

function publicPart(jwk: JWK): JWK {
  return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: SIGNING_ALG, use: 'sig' };
}

/** Parses and imports the keys; throws ConfigError on any bad key. */
export async function importSigningKeys(json: string): Promise<SigningKeys> {
  const jwks = parseJwkList(json);
  const verify = new Map<string, CryptoKey>();
  const publicJwks = jwks.map(publicPart);
  let privateKey: CryptoKey;
  try {
    privateKey = (await importJWK({ ...jwks[0], alg: SIGNING_ALG }, SIGNING_ALG)) as CryptoKey;
    for (const jwk of publicJwks) verify.set(jwk.kid as string, (await importJWK(jwk, SIGNING_ALG)) as CryptoKey);
  } catch (cause) {
    throw new ConfigError(`SESSION_SIGNING_KEYS holds a key Web Crypto cannot import (${String(cause)})`);
  }
  return { current: { kid: jwks[0]?.kid as string, privateKey }, verify, publicJwks };
}

const cache = new Map<string, Promise<SigningKeys>>();
/** The imports that have settled: the hot path reads them without an await. */
const imported = new Map<string, SigningKeys>();

/** importSigningKeys, once per isolate per distinct key set (rotation brings a new string). */
export function loadSigningKeys(json: string): Promise<SigningKeys> {
  let keys = cache.get(json);
  if (!keys) {
    keys = importSigningKeys(json);
    cache.set(json, keys);
    keys.then((settled) => imported.set(json, settled)).catch(() => {});
  }
  return keys;
}

/** The key set of `json` once loadSigningKeys has imported it (undefined before): no await on every request. */
export function importedSigningKeys(json: string): SigningKeys | undefined {
  return imported.get(json);
}
