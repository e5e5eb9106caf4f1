/** The D1 phase summarised: ops/s per operation and client count, D1's meta, and docs/scale.md's capacity model on both. */
import { SESSION_TOKEN_TTL_SECONDS } from '../settings.ts';
import { round, stats, statsOf } from '../stats.ts';

export type D1Run = { op: string; clients: number } & Record<'ops' | 'ms' | 'perSecond' | 'p50' | 'p99', number>;
export type D1Meta = Record<'roundTrips' | 'statements' | 'rowsRead' | 'rowsWritten' | 'sqlDurationMs', number>;

/**
 * D1 time per second per active session w = t_r/T + t_s/I + g·t_i/86400 + v·t_v/86400 (T: the
 * token's lifetime, I: the slide interval, g and v: sign-ins and revocations per session per day);
 * one database carries U / w active sessions at utilisation U (0.5: 2× headroom).
 */
export const SCALE_MODEL = {
  slideIntervalSeconds: 86_400,
  signInsPerDay: 1 / 30,
  revocationsPerDay: 1 / 30,
  utilisation: 0.5,
} as const;
/** The model on `seconds(op)`, D1 time per operation (the slide's own part: a refresh with a slide less one without). */
function capacity(seconds: (op: string) => number) {
  const t = {
    ...{ refresh: seconds('refresh'), slide: Math.max(0, seconds('refresh-slide') - seconds('refresh')) },
    ...{ signIn: seconds('signin'), revoke: seconds('revoke') },
  };
  const m = SCALE_MODEL;
  const w =
    t.refresh / SESSION_TOKEN_TTL_SECONDS +
    t.slide / m.slideIntervalSeconds +
    (m.signInsPerDay * t.signIn + m.revocationsPerDay * t.revoke) / 86_400;
  return {
    secondsPerOp: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(v * 1000, 3)])),
    wMicroseconds: round(w * 1e6, 3),
    refreshShare: round(t.refresh / SESSION_TOKEN_TTL_SECONDS / w, 3),
    activeSessions: Math.round(m.utilisation / w),
    activeSessionsAtFullUse: Math.round(1 / w),
  };
}

export function summariseD1<Seeded>(d1: {
  seeded: Seeded;
  prepared: Record<string, number>;
  runs: D1Run[];
  meta: Record<string, D1Meta[]>;
  clients: Record<string, readonly number[]>;
  msPerRun: number;
  seconds: number;
}) {
  const byClients = (op: string) =>
    Object.fromEntries(
      (d1.clients[op] ?? []).map((clients) => {
        const runs = d1.runs.filter((r) => r.op === op && r.clients === clients);
        const of = (key: 'perSecond' | 'p50' | 'p99', digits: number) => statsOf(runs, (r) => r[key], digits);
        const ops = runs.reduce((a, r) => a + r.ops, 0);
        return [String(clients), { perSecond: of('perSecond', 0), p50Ms: of('p50', 2), p99Ms: of('p99', 2), ops }];
      }),
    );
  const cases = Object.fromEntries(Object.keys(d1.clients).map((op) => [op, byClients(op)]));
  /** The best median rate over an operation's client counts: what the database was seen to sustain. */
  const best = (op: string) => Math.max(...Object.values(cases[op] ?? {}).map((c) => c.perSecond.median));
  // D1's meta per operation: the median of each field over the rounds' passes.
  const median = (passes: D1Meta[], k: keyof D1Meta) => round(stats(passes.map((m) => m[k])).median, 3);
  const medians = (passes: D1Meta[]) =>
    Object.fromEntries((Object.keys(passes[0] ?? {}) as (keyof D1Meta)[]).map((k) => [k, median(passes, k)])) as D1Meta;
  const meta = Object.fromEntries(Object.entries(d1.meta).map(([op, passes]) => [op, medians(passes)]));
  const sql = (op: string) => (meta[op]?.sqlDurationMs ?? Number.NaN) / 1000;
  return {
    ...{ seeded: d1.seeded, prepared: d1.prepared, msPerRun: d1.msPerRun, seconds: round(d1.seconds, 1), cases, meta },
    ...{ refreshPerSecond: round(best('refresh'), 0), apiMePerSecond: round(best('api-me'), 0) },
    ...{ tokenTtlSeconds: SESSION_TOKEN_TTL_SECONDS, model: SCALE_MODEL },
    capacity: { fromThroughput: capacity((op) => 1 / best(op)), fromSqlTime: capacity(sql) },
  };
}
export type D1Summary = ReturnType<typeof summariseD1<{ sessions: number; users: number }>>;
