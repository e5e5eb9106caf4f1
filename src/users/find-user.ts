import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { type User, users } from '../db/schema';

/** The user row by id, or undefined. */
export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  return db.select().from(users).where(eq(users.id, id)).get();
}
