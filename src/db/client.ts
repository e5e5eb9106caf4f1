import { drizzle } from 'drizzle-orm/d1';

/**
 * A drizzle client over a D1 binding or a D1 session (`withSession`). No
 * relational schema is passed: nothing uses `db.query`, and extracting the
 * schema's relations costs ~26 µs per construction against ~0.5–2 µs without
 * (measured in workerd, 10,000 constructions), which matters now that a
 * client is made per request over that request's D1 session.
 */
export function createDb(d1: D1Database | D1DatabaseSession) {
  // drizzle only calls prepare() and batch(), which a D1DatabaseSession has; its types ask for a D1Database.
  return drizzle(d1 as D1Database);
}

export type Db = ReturnType<typeof createDb>;

const clients = new WeakMap<D1Database, Db>();

/**
 * The drizzle client for a D1 binding itself (no session), made once per
 * binding object and isolate: for code outside a request (bench, scripts).
 * Requests go through middleware/request-db (one D1 session per request).
 */
export function dbFor(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = createDb(d1);
    clients.set(d1, db);
  }
  return db;
}
