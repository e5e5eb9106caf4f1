import { and, eq, isNull } from 'drizzle-orm';
import { dbFor } from '../db/client';
import { users } from '../db/schema';
import { sessionDatabaseNames, sessionDatabaseOf } from '../db/session-databases';

/**
 * With SESSION_DBS, the refresh reads the user's copy in their session
 * database (users/user-copy), which the Worker and `npm run admin` keep in
 * step. A disable written straight into `DB` by other means (SQL in the
 * dashboard, a script) would reach the feed (its D1 read) but not the copy: once
 * the feed's entry aged out, the refresh would let the user back in. The feed
 * closes that: each disable its D1 read finds in `DB` is written onto the copy
 * (`disabled_at`, only where the copy is still enabled: idempotent, and one
 * batch per session database). Without SESSION_DBS there is no copy: nothing
 * to do. An enable is not copied this way: the user's next sign-in rewrites
 * the copy from `DB` (failing closed until then).
 */
export async function copyDisables(env: Env, disabled: ReadonlyArray<{ id: string; at: Date }>): Promise<number> {
  const names = sessionDatabaseNames(env);
  if (names.length < 2 || disabled.length === 0) return 0;
  const byDatabase = new Map<D1Database, Array<{ id: string; at: Date }>>();
  for (const user of disabled) {
    const database = sessionDatabaseOf(env, user.id);
    if (database === env.DB) continue;
    byDatabase.set(database, [...(byDatabase.get(database) ?? []), user]);
  }
  let written = 0;
  for (const [database, list] of byDatabase) {
    const db = dbFor(database);
    const [first, ...rest] = list.map(({ id, at }) =>
      db
        .update(users)
        .set({ disabledAt: at })
        .where(and(eq(users.id, id), isNull(users.disabledAt)))
        .returning({ id: users.id }),
    );
    if (!first) continue;
    const results = await db.batch([first, ...rest]);
    written += results.reduce((sum, rows) => sum + rows.length, 0);
  }
  return written;
}
