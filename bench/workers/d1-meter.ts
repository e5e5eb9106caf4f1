/**
 * A D1 binding that tallies what goes through it, inside workerd: statements prepared (their SQL
 * too, when asked), round trips (an execution, a batch, an exec), and with `meta` D1's own meta
 * (rows read and written, SQL time). The D1 sessions it opens (`withSession`: how the product's
 * requests reach D1) are tallied alike; batches get the real statements back, unwrapped.
 */

export interface D1Tally {
  statements: number;
  roundTrips: number;
  rowsRead: number;
  rowsWritten: number;
  sqlMs: number;
  /** Every SQL text prepared, when set. */
  sql?: Set<string>;
}

export const newTally = (): D1Tally => ({ statements: 0, roundTrips: 0, rowsRead: 0, rowsWritten: 0, sqlMs: 0 });

type Fn = (...args: unknown[]) => unknown;
const EXECUTIONS = new Set<PropertyKey>(['first', 'all', 'run', 'raw']);

/**
 * `d1` tallied into `tally`. With `meta`, a statement read through `first()` or `raw()` (which get no
 * meta; drizzle's `.get()`) runs once more with `all()` for it: a SELECT, so only in untimed passes.
 */
export function meteredD1<T extends object>(d1: T, tally: D1Tally, meta = false): T {
  const real = new WeakMap<object, D1PreparedStatement>();
  const addMeta = (m: D1Meta) => {
    tally.rowsRead += m.rows_read ?? 0;
    tally.rowsWritten += m.rows_written ?? 0;
    tally.sqlMs += m.duration ?? 0;
  };
  const statement = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        if (prop === 'bind') return (...args: unknown[]) => statement(target.bind(...args));
        if (!EXECUTIONS.has(prop)) return value.bind(target);
        if (!meta) {
          return (...args: unknown[]) => {
            tally.roundTrips++;
            return (value as Fn).apply(target, args);
          };
        }
        return async (...args: unknown[]) => {
          tally.roundTrips++;
          if (prop === 'first' || prop === 'raw') addMeta((await target.all()).meta);
          const result = await (value as Fn).apply(target, args);
          if (prop === 'all' || prop === 'run') addMeta((result as D1Result).meta);
          return result;
        };
      },
    });
    real.set(proxy, stmt);
    return proxy;
  };
  const wrap = <U extends object>(db: U): U =>
    new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== 'function') return value;
        const call = (...args: unknown[]) => (value as Fn).apply(target, args);
        switch (prop) {
          case 'prepare':
            return (query: string) => {
              tally.statements++;
              tally.sql?.add(query);
              return statement(call(query) as D1PreparedStatement);
            };
          case 'exec':
            return (query: string) => {
              tally.statements++;
              tally.roundTrips++;
              return call(query);
            };
          case 'batch':
            return (statements: D1PreparedStatement[]) => {
              tally.roundTrips++;
              const results = call(statements.map((s) => real.get(s) ?? s)) as Promise<D1Result[]>;
              if (!meta) return results;
              return results.then((rs) => {
                for (const r of rs) addMeta(r.meta);
                return rs;
              });
            };
          case 'withSession':
            return (constraint?: string) => wrap(call(constraint) as D1DatabaseSession);
          default:
            return value.bind(target);
        }
      },
    });
  return wrap(d1);
}

/** D1's tally per operation (an untimed pass through `meteredD1(…, true)`). */
export const perOp = (t: D1Tally, ops: number) => ({
  roundTrips: t.roundTrips / ops,
  statements: t.statements / ops,
  rowsRead: t.rowsRead / ops,
  rowsWritten: t.rowsWritten / ops,
  sqlDurationMs: t.sqlMs / ops,
});
