/**
 * Client authentication for the client-credentials grant: is this the secret of a live client?
 * Pure: the row lookup, the clock and the comparison are passed in (the Worker passes D1 and
 * crypto.subtle.timingSafeEqual; tests pass spies).
 */
import type { ServiceClient } from '../db/schema';
import { type ConstantTimeEqual, fromHex, hashSecretBytes } from './secret';

export interface ClientCredentials {
  id: string;
  secret: string;
}

export interface AuthenticateDeps {
  find(id: string): Promise<ServiceClient | undefined>;
  compare: ConstantTimeEqual;
  now: Date;
}

/** Why authentication failed, for the log only: the client always hears `invalid_client`. */
export type ClientRefusal = 'unknown_client' | 'wrong_secret' | 'revoked';

export type ClientAuthentication =
  | { ok: true; client: ServiceClient /** the previous secret, within its overlap */; viaPrevious: boolean }
  | { ok: false; reason: ClientRefusal };

/** Client ids are UUIDs (`npm run admin -- clients create`); anything else names no client. */
const CLIENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Authenticates a client by its secret. Whatever the id, the work is the same: one row lookup, one
 * SHA-256 of the presented secret, and exactly two constant-time comparisons of 32-byte hashes
 * (the current secret's and the previous one's), against hashes that match nothing when the client
 * is unknown or has no previous secret in its overlap. So an unknown id, a wrong secret and a
 * revoked client cannot be told apart by their answer, nor by how long it took.
 */
export async function authenticateClient(
  credentials: ClientCredentials,
  deps: AuthenticateDeps,
): Promise<ClientAuthentication> {
  const row = CLIENT_ID.test(credentials.id) ? await deps.find(credentials.id) : undefined;
  const presented = await hashSecretBytes(credentials.secret);
  const previousLive = (row?.previousSecretExpiresAt?.getTime() ?? 0) > deps.now.getTime();
  const current = deps.compare(presented, fromHex(row?.secretHash));
  const previous = deps.compare(presented, fromHex(previousLive ? row?.previousSecretHash : null));
  if (!row) return { ok: false, reason: 'unknown_client' };
  if (!current && !previous) return { ok: false, reason: 'wrong_secret' };
  if (row.revokedAt !== null) return { ok: false, reason: 'revoked' };
  return { ok: true, client: row, viaPrevious: !current };
}
