export interface D1Counter {
  statements: number;
  writes: number;
  verbs: string[];
  /** The constraint or bookmark of each D1 session opened (`withSession`), in order. */
  sessions: string[];
}

/**
 * The real D1 binding, wrapped to count what is run through it: statements
 * prepared, and their SQL verbs; the D1 sessions it opens (`withSession`, how
 * requests reach D1) are wrapped alike. Pass `counter` to count several
 * databases together.
 */
export function countingD1(d1: D1Database, counter: D1Counter = { statements: 0, writes: 0, verbs: [], sessions: [] }) {
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

/**
 * The test env with DB and every session database (SESSION_DBS) wrapped by
 * countingD1 into one counter: what a request ran, wherever its sessions live.
 */
export function countingEnv(env: Env) {
  const { db, counter } = countingD1(env.DB);
  const wrapped: Record<string, unknown> = { ...env, DB: db };
  const raw = (env as unknown as { SESSION_DBS?: string }).SESSION_DBS;
  for (const name of raw ? (JSON.parse(raw) as string[]) : []) {
    if (name !== 'DB')
      wrapped[name] = countingD1((env as unknown as Record<string, D1Database>)[name] as D1Database, counter).db;
  }
  return { env: wrapped as unknown as Env, counter };
}
