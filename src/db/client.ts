import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema';

/** A drizzle client over the D1 binding. */
export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

export type Db = ReturnType<typeof createDb>;

const clients = new WeakMap<D1Database, Db>();

/**
 * The drizzle client for a D1 binding, made once per binding object and
 * isolate: it holds no request state, and the request path pays a map lookup.
 */
export function dbFor(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = createDb(d1);
    clients.set(d1, db);
  }
  return db;
}
