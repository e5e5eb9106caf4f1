/**
 * An in-memory SQLite with the real D1 migrations (node:sqlite: no wrangler, milliseconds), foreign
 * keys on as D1 has them, and a runner that runs a batch on it as D1 runs one: in order, on one
 * connection, all or nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Rows, RunD1 } from '../../scripts/admin/rows.ts';

const MIGRATIONS = join(import.meta.dirname, '..', '..', 'migrations');

export function migratedDatabase(): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  db.exec('PRAGMA foreign_keys = ON'); // as D1 does
  for (const file of readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    for (const statement of readFileSync(join(MIGRATIONS, file), 'utf8').split('--> statement-breakpoint')) {
      db.exec(statement);
    }
  }
  return db;
}

/** Runs each batch as one transaction; `inspect` sees every statement before it runs. */
export function memoryRunner(
  db: DatabaseSync,
  inspect: (statement: ReturnType<DatabaseSync['prepare']>, text: string) => void = () => {},
): RunD1 {
  return async (statements) => {
    db.exec('BEGIN');
    try {
      const results = statements.map((text) => {
        const statement = db.prepare(text);
        inspect(statement, text);
        return statement.all() as Rows;
      });
      db.exec('COMMIT');
      return results;
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  };
}
