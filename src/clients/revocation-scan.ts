/**
 * What the revocation feed's D1 scan (src/revocation/d1-scan.ts) reads for service clients: the
 * clients whose tokens were revoked since a time (`clients revoke`, and `clients rotate` without
 * overlap, set `tokens_revoked_before`), a range on the partial index of that column. They reach
 * verifiers as the feed's `users` entries `{id: "client:<id>", before}`: an entry names a token
 * subject, so every verifier that refuses a `sub` by time refuses the client's older tokens too.
 */
import { asc, gte } from 'drizzle-orm';
import type { Db } from '../db/client';
import { serviceClients } from '../db/schema';
import { clientSubject } from './subject';

export function revokedClientsQuery(db: Db, from: number, limit: number) {
  return db
    .select({ id: serviceClients.id, at: serviceClients.tokensRevokedBefore })
    .from(serviceClients)
    .where(gte(serviceClients.tokensRevokedBefore, new Date(from)))
    .orderBy(asc(serviceClients.tokensRevokedBefore))
    .limit(limit);
}

/** A found row as the feed's subject entry: tokens with `iat` before the next whole second are refused. */
export function clientRevocationEntry(row: { id: string; at: Date }): { id: string; before: number } {
  return { id: clientSubject(row.id), before: Math.floor(row.at.getTime() / 1000) + 1 };
}
