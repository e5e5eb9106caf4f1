import { and, eq, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../db/client';
import { type ServiceClient, serviceClients } from '../db/schema';

/** How often `last_used_at` is written at most: a client asking every few seconds costs one write a minute. */
export const LAST_USED_EVERY_MS = 60_000;

/** A client's row, by id; undefined when there is none. */
export async function findClient(db: Db, id: string): Promise<ServiceClient | undefined> {
  const [row] = await db.select().from(serviceClients).where(eq(serviceClients.id, id)).limit(1);
  return row;
}

/** Records that the client got a token, unless it was recorded less than LAST_USED_EVERY_MS ago. */
export async function markClientUsed(db: Db, id: string, now: Date): Promise<void> {
  await db
    .update(serviceClients)
    .set({ lastUsedAt: now })
    .where(
      and(
        eq(serviceClients.id, id),
        or(
          isNull(serviceClients.lastUsedAt),
          lt(serviceClients.lastUsedAt, new Date(now.getTime() - LAST_USED_EVERY_MS)),
        ),
      ),
    );
}
