/**
 * An in-memory SQLite with the real migrations (node:sqlite: no wrangler, milliseconds), foreign
 * keys on as D1 has them, and a runner for the admin's batches: statement by statement on one
 * connection, as D1 runs a batch.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import type { Rows } from '../../scripts/admin/rows.ts';

const MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));

export function memoryD1(seed: string[] = []): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  db.exec('PRAGMA foreign_keys = ON');
  for (const file of readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    for (const statement of readFileSync(join(MIGRATIONS, file), 'utf8').split('--> statement-breakpoint')) {
      db.exec(statement);
    }
  }
  for (const statement of seed) db.exec(statement);
  return db;
}

/** A RunD1 over the in-memory database. */
export function memoryRunner(db: DatabaseSync) {
  return async (statements: string[]): Promise<Rows[]> => statements.map((sql) => db.prepare(sql).all() as Rows);
}
