import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';

/**
 * What a function that only builds statements needs of its client: the Worker's D1 one (db/client),
 * or `npm run admin`'s, which runs none (it sends them through wrangler: scripts/admin/statements.ts).
 * No D1 types here: Node scripts type-check the files that use it.
 */
export type StatementDb = BaseSQLiteDatabase<'async', unknown>;
