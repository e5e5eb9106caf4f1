/**
 * The D1 operations of the scale study, shared by bench/worker-d1-scale.ts (bench/d1-scale.ts,
 * docs/SCALE.md) and the bench Worker's D1 throughput case (bench/worker-d1-bench.ts, in
 * `npm run bench`): the product's own `refreshSession`, `recordSignIn` and `revokeSession` from
 * src/, through drizzle on the D1 binding, on random seeded sessions; the binding wrapped to
 * record the SQL it is given or D1's `meta` (rows read and written, SQL time) per statement; and
 * a loop that runs an operation from several concurrent clients, by count or for a time.
 */
import type { dbFor } from '../src/db/client';
import { recordSignIn } from '../src/users/repository';
import { refreshSession, revokeSession } from '../src/users/sessions';

export type D1OpName = 'refresh' | 'refresh-slide' | 'signin' | 'signin-new' | 'revoke';

export interface D1OpInput {
  op: D1OpName;
  /** [sessionId, userId] pairs to draw from (refresh, revoke). */
  pairs: Array<[string, string]>;
  /** How many seeded users there are (sign-in of an existing account picks one at random). */
  users: number;
}

const OPEN = { domains: [] as string[], emails: new Set<string>() };
const META = {
  ip: '203.0.113.7',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
};

function lifetimes(slideInterval: number) {
  return { maxAge: 2_592_000, absoluteMaxAge: 7_776_000, slideInterval };
}

/** One operation `input.op` (the i-th of its run) on `db`; throws when the product refuses it. */
export async function d1Op(db: ReturnType<typeof dbFor>, input: D1OpInput, i: number): Promise<void> {
  const now = new Date();
  switch (input.op) {
    case 'refresh':
    case 'refresh-slide': {
      const [sessionId, userId] = input.pairs[Math.floor(Math.random() * input.pairs.length)] as [string, string];
      // slideInterval 1 day: no slide (seeded last_seen_at is < 12 h old); 0: every refresh slides.
      const out = await refreshSession(db, {
        sessionId,
        userId,
        now,
        lifetimes: lifetimes(input.op === 'refresh' ? 86_400 : 0),
        admission: OPEN,
      });
      if (!out.ok) throw new Error(`refresh refused: ${out.code}`);
      if (out.slid !== (input.op === 'refresh-slide')) throw new Error(`slid=${out.slid} for ${input.op}`);
      return;
    }
    case 'signin':
    case 'signin-new': {
      const n = input.op === 'signin' ? 1 + Math.floor(Math.random() * input.users) : 0;
      const sub = n > 0 ? `1${String(n).padStart(20, '0')}` : `9${crypto.randomUUID()}`;
      const out = await recordSignIn(
        db,
        {
          provider: 'google',
          providerAccountId: sub,
          email: `user${n || sub}@example.com`,
          emailVerified: true,
          hostedDomain: null,
          name: `User ${n}`,
          image: 'https://lh3.googleusercontent.com/a/ACg8ocJbench-profile-picture-url-of-typical-length=s96-c',
        },
        { id: crypto.randomUUID(), meta: META, now, maxAge: 2_592_000 },
      );
      if (out.kind !== 'signed_in') throw new Error(`sign-in: ${out.kind}`);
      return;
    }
    case 'revoke': {
      // Each revocation takes a different session (the pairs are consumed in order).
      const [sessionId, userId] = input.pairs[i % input.pairs.length] as [string, string];
      const ok = await revokeSession(db, { userId, sessionId, now, meta: META, kind: 'session_revoked' });
      if (!ok) throw new Error('revoke: no such session');
      return;
    }
  }
}

/** The binding, with every SQL text it is given recorded (prepare, and so batch too). */
export function recording(d1: D1Database, seen: Set<string>): D1Database {
  return new Proxy(d1, {
    get(target, key) {
      if (key === 'prepare') {
        return (sql: string) => {
          seen.add(sql);
          return target.prepare(sql);
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** What D1 reports in `meta` (summed over statements): rows read and written, SQL duration (ms). */
export interface Totals {
  statements: number;
  roundTrips: number;
  rowsRead: number;
  rowsWritten: number;
  durationMs: number;
}

/**
 * The binding, with D1's `meta` of every statement added to `totals`: batches directly; a
 * single statement read through `raw()` (drizzle's `.get()`, which gets no meta) is run once
 * more with `all()` for its meta (a SELECT, so nothing changes; only in the untimed meta pass).
 */
export function metered(d1: D1Database, totals: Totals): D1Database {
  const add = (meta: D1Meta) => {
    totals.statements += 1;
    totals.rowsRead += meta.rows_read ?? 0;
    totals.rowsWritten += meta.rows_written ?? 0;
    totals.durationMs += meta.duration ?? 0;
  };
  const statement = (stmt: D1PreparedStatement): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, key) {
        if (key === '__target') return target;
        if (key === 'bind') return (...values: unknown[]) => statement(target.bind(...values));
        if (key === 'all' || key === 'run') {
          return async () => {
            totals.roundTrips += 1;
            const result = await target[key]();
            add(result.meta);
            return result;
          };
        }
        if (key === 'raw' || key === 'first') {
          return async (...args: unknown[]) => {
            totals.roundTrips += 1;
            add((await target.all()).meta);
            return (Reflect.get(target, key) as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return new Proxy(d1, {
    get(target, key) {
      if (key === 'prepare') return (sql: string) => statement(target.prepare(sql));
      if (key === 'batch') {
        return async (stmts: D1PreparedStatement[]) => {
          // Unwrap: the batch gets the real statements (bound by the proxies above).
          const results = await target.batch(
            stmts.map((s) => (s as unknown as { __target?: D1PreparedStatement }).__target ?? s),
          );
          totals.roundTrips += 1;
          for (const r of results) add(r.meta);
          return results;
        };
      }
      const value = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface ClientLoop {
  clients: number;
  /** Stop after this many operations… */
  ops?: number;
  /** …or once this many ms have passed (whichever comes first). */
  ms?: number;
}

/** Runs `op` from `clients` concurrent loops; operations per second and latency percentiles. */
export async function clientLoop(op: (i: number) => Promise<void>, loop: ClientLoop) {
  const limit = loop.ops ?? Number.POSITIVE_INFINITY;
  const budget = loop.ms ?? Number.POSITIVE_INFINITY;
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: loop.clients }, async () => {
      while (next < limit && performance.now() - started < budget) {
        const i = next++;
        const t0 = performance.now();
        await op(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const ms = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  return {
    clients: loop.clients,
    ops: latencies.length,
    ms,
    perSecond: (latencies.length / ms) * 1000,
    p50: q(0.5),
    p99: q(0.99),
  };
}

/** D1's `meta` per operation, summed over its statements (an untimed pass through `metered`). */
export function perOp(totals: Totals, ops: number) {
  return {
    roundTrips: totals.roundTrips / ops,
    statements: totals.statements / ops,
    rowsRead: totals.rowsRead / ops,
    rowsWritten: totals.rowsWritten / ops,
    sqlDurationMs: totals.durationMs / ops,
  };
}

export const newTotals = (): Totals => ({ statements: 0, roundTrips: 0, rowsRead: 0, rowsWritten: 0, durationMs: 0 });

/** `n` random live sessions of the seeded database, as [sessionId, userId] (one scan). */
export async function sampleSessions(d1: D1Database, n: number): Promise<Array<[string, string]>> {
  const { results } = await d1
    .prepare('SELECT id, user_id FROM sessions WHERE revoked_at IS NULL ORDER BY random() LIMIT ?')
    .bind(n)
    .all<{ id: string; user_id: string }>();
  return results.map((r) => [r.id, r.user_id]);
}
