import { env } from 'cloudflare:workers';
import { base64url, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { importSigningKeys, loadSigningKeys, type SigningKeys } from '../../src/session/keys';
import {
  ACCESS_TOKEN_TYP,
  SESSION_TOKEN_TYP,
  signSessionToken,
  signToken,
  type TokenProfile,
} from '../../src/session/token';
import type { CookieJar } from './cookies';
import { FROM_APP } from './http';
import { API, api } from './worker';

/** The keys the Worker under test signs and verifies with. */
export function serverKeys(): Promise<SigningKeys> {
  return loadSigningKeys(env.SESSION_SIGNING_KEYS);
}

/** A fresh ES256 private JWK, as SESSION_SIGNING_KEYS lists one. */
export async function newSigningJwk(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
}

/** A fresh ES256 key the server has never seen (optionally reusing a known kid). */
export async function strangerKeys(kid = 'stranger'): Promise<SigningKeys> {
  return importSigningKeys(JSON.stringify([await newSigningJwk(kid)]));
}

export interface MintOptions {
  sub?: string;
  sid?: string;
  now?: Date;
  ttl?: number;
  keys?: SigningKeys;
  issuer?: string;
  audience?: string;
  /** The profile claims; none by default (a token as signed before profiles rode in it). */
  profile?: TokenProfile;
}

/** Signs a session token in the test, with injected time. */
export async function mint(options: MintOptions = {}): Promise<string> {
  return signSessionToken(
    {
      sub: options.sub ?? 'user-1',
      sid: options.sid ?? 'session-1',
      ttl: options.ttl ?? 600,
      ...(options.profile ? { profile: options.profile } : {}),
    },
    options.keys ?? (await serverKeys()),
    { issuer: options.issuer ?? API, audience: options.audience ?? API, now: options.now ?? new Date() },
  );
}

/** Signs an access token (at+jwt, 300 s) with the server's keys, in the test, with injected time. */
export async function mintAccessToken(options: { sub: string; sid: string; audience: string; now?: Date }) {
  return signToken(ACCESS_TOKEN_TYP, { sub: options.sub, sid: options.sid, ttl: 300 }, await serverKeys(), {
    issuer: API,
    audience: options.audience,
    now: options.now,
  });
}

/** POST /auth/token with the jar's session cookie, from the app unless told; `body` is JSON-encoded unless a string. */
export async function requestToken(jar: CookieJar, body: unknown, headers: Record<string, string> = FROM_APP) {
  return api('/auth/token', {
    method: 'POST',
    jar,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const encodePart = (value: unknown) => base64url.encode(JSON.stringify(value));

function claims(overrides: Record<string, unknown> = {}) {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: API, aud: API, sub: 'user-1', sid: 'session-1', iat, exp: iat + 600, ...overrides };
}

/** `alg: none`: header and payload, empty signature. */
export function unsignedToken(): string {
  return `${encodePart({ alg: 'none', typ: SESSION_TOKEN_TYP, kid: 'test-key-1' })}.${encodePart(claims())}.`;
}

/** Alg confusion: HS256 keyed with the server's *public* JWK, as a naive verifier might accept. */
export async function hmacWithPublicKey(): Promise<string> {
  const keys = await serverKeys();
  const secret = new TextEncoder().encode(JSON.stringify(keys.publicJwks[0]));
  return new SignJWT(claims())
    .setProtectedHeader({ alg: 'HS256', typ: SESSION_TOKEN_TYP, kid: keys.current.kid })
    .sign(secret);
}

/** A properly signed token with arbitrary header/claims (for typ and missing-claim cases). */
export async function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const keys = await serverKeys();
  return new SignJWT(claims(payload))
    .setProtectedHeader({ alg: 'ES256', kid: keys.current.kid, ...header })
    .sign(keys.current.privateKey);
}

/** Replaces the payload of a signed token, keeping header and signature. */
export function tamper(token: string, overrides: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const decoded = JSON.parse(new TextDecoder().decode(base64url.decode(payload ?? '')));
  return `${header}.${encodePart({ ...decoded, ...overrides })}.${signature}`;
}
