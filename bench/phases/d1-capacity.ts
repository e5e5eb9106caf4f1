/**
 * The D1 throughput case summarised: operations per second per operation and client count, D1's
 * meta per operation, and the active sessions one database carries, derived with docs/SCALE.md's
 * model (section 4) from the measured throughput and, apart, from D1's own SQL time.
 */
import { D1_CASES, type D1CaseName } from '../cases.ts';
import { SESSION_TOKEN_TTL_SECONDS } from '../settings.ts';
import { round, roundedStats, stats } from '../stats.ts';

export interface D1Run {
  op: string;
  clients: number;
  ops: number;
  ms: number;
  perSecond: number;
  p50: number;
  p99: number;
}
export interface D1Meta {
  roundTrips: number;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  sqlDurationMs: number;
}
interface D1Samples {
  seeded: { sessions: number; users: number; seconds: number; fileBytes: number };
  prepared: Record<string, number>;
  runs: D1Run[];
  meta: Partial<Record<D1CaseName, D1Meta[]>>;
  msPerRun: number;
  seconds: number;
}

/**
 * D1 time per second per active session w = t_r/T + t_s/I + g·t_i/86400 + v·t_v/86400; one
 * database carries U / w active sessions.
 */
export const SCALE_MODEL = {
  /** SESSION_SLIDE_INTERVAL default (s): at most one slide per session per day. */
  slideIntervalSeconds: 86_400,
  /** Sign-ins and revocations per active session per day (assumed: one a month each). */
  signInsPerDay: 1 / 30,
  revocationsPerDay: 1 / 30,
  /** Utilisation allowed one database: 2× headroom. */
  utilisation: 0.5,
} as const;

type OpSeconds = { refresh: number; slide: number; signIn: number; revoke: number };

/** The model on per-operation D1 times in seconds. */
function capacity(t: OpSeconds) {
  const m = SCALE_MODEL;
  const w =
    t.refresh / SESSION_TOKEN_TTL_SECONDS +
    t.slide / m.slideIntervalSeconds +
    (m.signInsPerDay * t.signIn + m.revocationsPerDay * t.revoke) / 86_400;
  return {
    secondsPerOp: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(v * 1000, 3)])) as OpSeconds,
    wMicroseconds: round(w * 1e6, 3),
    refreshShare: round(t.refresh / SESSION_TOKEN_TTL_SECONDS / w, 3),
    activeSessions: Math.round(m.utilisation / w),
    activeSessionsAtFullUse: Math.round(1 / w),
  };
}

export function summariseD1(d1: D1Samples) {
  const byClients = (op: D1CaseName) =>
    Object.fromEntries(
      D1_CASES[op].clients.map((clients) => {
        const runs = d1.runs.filter((r) => r.op === op && r.clients === clients);
        const figures = {
          perSecond: roundedStats(
            runs.map((r) => r.perSecond),
            0,
          ),
          p50Ms: roundedStats(
            runs.map((r) => r.p50),
            2,
          ),
          p99Ms: roundedStats(
            runs.map((r) => r.p99),
            2,
          ),
          ops: runs.reduce((a, r) => a + r.ops, 0),
        };
        return [String(clients), figures];
      }),
    );
  const ops = Object.keys(D1_CASES) as D1CaseName[];
  const cases = Object.fromEntries(ops.map((op) => [op, byClients(op)])) as Record<
    D1CaseName,
    ReturnType<typeof byClients>
  >;
  /** The best median rate of an operation over its client counts (what the database was seen to sustain). */
  const best = (op: D1CaseName) => Math.max(...Object.values(cases[op]).map((c) => c.perSecond.median));
  // D1's meta per operation: the median of each field over the rounds' passes.
  const meta = Object.fromEntries(
    Object.entries(d1.meta).map(([op, passes = []]) => {
      const fields = Object.keys(passes[0] ?? {}) as (keyof D1Meta)[];
      return [op, Object.fromEntries(fields.map((k) => [k, round(stats(passes.map((m) => m[k])).median, 3)]))];
    }),
  ) as Partial<Record<D1CaseName, D1Meta>>;
  const sql = (op: D1CaseName) => (meta[op]?.sqlDurationMs ?? Number.NaN) / 1000;
  return {
    seeded: d1.seeded,
    prepared: d1.prepared,
    msPerRun: d1.msPerRun,
    seconds: round(d1.seconds, 1),
    cases,
    meta,
    refreshPerSecond: round(best('refresh'), 0),
    apiMePerSecond: round(best('api-me'), 0),
    tokenTtlSeconds: SESSION_TOKEN_TTL_SECONDS,
    model: SCALE_MODEL,
    capacity: {
      fromThroughput: capacity({
        refresh: 1 / best('refresh'),
        // The slide's own part: a refresh with a slide less one without.
        slide: Math.max(0, 1 / best('refresh-slide') - 1 / best('refresh')),
        signIn: 1 / best('signin'),
        revoke: 1 / best('revoke'),
      }),
      fromSqlTime: capacity({
        refresh: sql('refresh'),
        slide: Math.max(0, sql('refresh-slide') - sql('refresh')),
        signIn: sql('signin'),
        revoke: sql('revoke'),
      }),
    },
  };
}
export type D1Summary = ReturnType<typeof summariseD1>;
