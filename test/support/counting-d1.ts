/**
 * The real D1 binding, wrapped to count what is run through it: statements
 * prepared, and their SQL verbs; the D1 sessions it opens (`withSession`, how
 * requests reach D1) are wrapped alike and counted in `sessions`.
 */
export function countingD1(d1: D1Database) {
  const counter = { statements: 0, writes: 0, verbs: [] as string[], sessions: [] as string[] };
  const count = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop, t);
        if (prop === 'prepare' || prop === 'exec' || prop === 'batch') {
          return (...args: unknown[]) => {
            counter.statements++;
            if (prop !== 'batch' && typeof args[0] === 'string') {
              const verb = /^\s*(\w+)/.exec(args[0])?.[1]?.toUpperCase() ?? '?';
              counter.verbs.push(verb);
              if (verb !== 'SELECT' && verb !== 'WITH') counter.writes++;
            }
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        if (prop === 'withSession') {
          return (constraint?: string) => {
            counter.sessions.push(constraint ?? 'first-unconstrained');
            return count((value as (c?: string) => D1DatabaseSession).call(t, constraint));
          };
        }
        return typeof value === 'function' ? value.bind(t) : value;
      },
    });
  return { db: count(d1), counter };
}
