/** A D1 binding (and its `withSession` sessions) tallying statements, round trips, SQL texts and D1's own meta. */

export const newTally = () => ({ statements: 0, roundTrips: 0, rowsRead: 0, rowsWritten: 0, sqlMs: 0 });
/** With `sql`: every SQL text prepared. */
export type D1Tally = ReturnType<typeof newTally> & { sql?: Set<string> };

type Fn = (...args: unknown[]) => unknown;

/** A proxy of `target` whose methods named in `wrap` are replaced (the others bound to it). */
function intercept<T extends object>(target: T, wrap: (name: PropertyKey, method: Fn) => Fn | undefined): T {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      const method = (value as Fn).bind(t);
      return wrap(prop, method) ?? method;
    },
  });
}

/**
 * `d1` tallied into `tally`. With `meta`, a statement read through `first()` or `raw()` (which get
 * no meta; drizzle's `.get()`) runs once more with `all()` for it: a SELECT, so in untimed passes only.
 */
export function meteredD1<T extends object>(d1: T, tally: D1Tally, meta = false): T {
  const real = new WeakMap<object, D1PreparedStatement>();
  const addMeta = ({ meta: m }: D1Result) => {
    tally.rowsRead += m.rows_read ?? 0;
    tally.rowsWritten += m.rows_written ?? 0;
    tally.sqlMs += m.duration ?? 0;
  };
  const statement = (stmt: D1PreparedStatement): D1PreparedStatement => {
    const proxy = intercept(stmt, (prop, method) => {
      if (prop === 'bind') return (...args) => statement(method(...args) as D1PreparedStatement);
      if (!['first', 'all', 'run', 'raw'].includes(String(prop))) return undefined;
      if (!meta) {
        return (...args) => {
          tally.roundTrips++;
          return method(...args);
        };
      }
      return async (...args) => {
        tally.roundTrips++;
        if (prop === 'first' || prop === 'raw') addMeta(await stmt.all());
        const result = await method(...args);
        if (prop === 'all' || prop === 'run') addMeta(result as D1Result);
        return result;
      };
    });
    real.set(proxy, stmt);
    return proxy;
  };
  const database = <U extends object>(db: U): U =>
    intercept(db, (prop, method) => {
      if (prop === 'withSession') return (...args) => database(method(...args) as D1DatabaseSession);
      if (prop === 'prepare') {
        return (query) => {
          tally.statements++;
          tally.sql?.add(query as string);
          return statement(method(query) as D1PreparedStatement);
        };
      }
      if (prop === 'exec') {
        return (query) => {
          tally.statements++;
          tally.roundTrips++;
          return method(query);
        };
      }
      if (prop !== 'batch') return undefined;
      return async (statements) => {
        tally.roundTrips++;
        const results = (await method(
          (statements as D1PreparedStatement[]).map((s) => real.get(s) ?? s),
        )) as D1Result[];
        if (meta) results.forEach(addMeta);
        return results;
      };
    });
  return database(d1);
}

/** D1's tally per operation (an untimed pass through `meteredD1(…, true)`). */
export const perOp = (t: D1Tally, ops: number) => ({
  roundTrips: t.roundTrips / ops,
  statements: t.statements / ops,
  rowsRead: t.rowsRead / ops,
  rowsWritten: t.rowsWritten / ops,
  sqlDurationMs: t.sqlMs / ops,
});
