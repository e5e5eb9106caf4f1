/** The real D1 binding, wrapped to count what is run through it: statements prepared, and their SQL verbs. */
export function countingD1(d1: D1Database) {
  const counter = { statements: 0, writes: 0, verbs: [] as string[] };
  const db = new Proxy(d1, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop === 'prepare' || prop === 'exec' || prop === 'batch') {
        return (...args: unknown[]) => {
          counter.statements++;
          if (prop !== 'batch' && typeof args[0] === 'string') {
            const verb = /^\s*(\w+)/.exec(args[0])?.[1]?.toUpperCase() ?? '?';
            counter.verbs.push(verb);
            if (verb !== 'SELECT' && verb !== 'WITH') counter.writes++;
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, counter };
}
