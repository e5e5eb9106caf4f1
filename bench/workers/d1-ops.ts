/** The product's own refreshSession, recordSignIn and revokeSession on seeded sessions, run from concurrent clients. */
import { type dbFor, recordSignIn, refreshSession, revokeSession } from './app';

export const D1_OP_NAMES = ['refresh', 'refresh-slide', 'signin', 'signin-new', 'revoke'] as const;
export type D1OpName = (typeof D1_OP_NAMES)[number];

export interface D1OpInput {
  op: D1OpName;
  /** [sessionId, userId] pairs to draw from (refresh), or to consume in order (revoke). */
  pairs: Array<[string, string]>;
  /** How many seeded users there are (a returning user's sign-in picks one at random). */
  users: number;
}

const OPEN = { domains: [] as string[], emails: new Set<string>() };
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
const META = { ip: '203.0.113.7', userAgent: UA };
const MAX_AGE = 2_592_000;

/** One operation (the i-th of its run) on `db`; throws when the product refuses it. */
export async function d1Op(db: ReturnType<typeof dbFor>, input: D1OpInput, i: number): Promise<void> {
  const now = new Date();
  if (input.op === 'refresh' || input.op === 'refresh-slide') {
    const [sessionId, userId] = input.pairs[Math.floor(Math.random() * input.pairs.length)] as [string, string];
    // slideInterval 1 day: no slide (the seeded last slide is < 12 h old); 0: every refresh slides.
    const slideInterval = input.op === 'refresh' ? 86_400 : 0;
    const lifetimes = { maxAge: MAX_AGE, absoluteMaxAge: 7_776_000, slideInterval };
    const out = await refreshSession(db, { sessionId, userId, now, lifetimes, admission: OPEN });
    if (!out.ok) throw new Error(`refresh refused: ${out.code}`);
    if (out.slid !== (input.op === 'refresh-slide')) throw new Error(`slid=${out.slid} for ${input.op}`);
  } else if (input.op === 'revoke') {
    const [sessionId, userId] = input.pairs[i % input.pairs.length] as [string, string];
    const ok = await revokeSession(db, { userId, sessionId, now, meta: META, kind: 'session_revoked' });
    if (!ok) throw new Error('revoke: no such session');
  } else {
    const n = input.op === 'signin' ? 1 + Math.floor(Math.random() * input.users) : 0;
    const sub = n > 0 ? `1${String(n).padStart(20, '0')}` : `9${crypto.randomUUID()}`;
    const profile = {
      provider: 'google',
      providerAccountId: sub,
      email: `user${n || sub}@example.com`,
      emailVerified: true,
      hostedDomain: null,
      name: `User ${n}`,
      image: 'https://lh3.googleusercontent.com/a/ACg8ocJbench-profile-picture-url-of-typical-length=s96-c',
    };
    const out = await recordSignIn(db, profile, { id: crypto.randomUUID(), meta: META, now, maxAge: MAX_AGE });
    if (out.kind !== 'signed_in') throw new Error(`sign-in: ${out.kind}`);
  }
}

/** `op` from `clients` concurrent loops until `ops` are done or `ms` have passed: operations/s, latency percentiles (ms). */
export async function clientLoop(op: (i: number) => Promise<void>, loop: { clients: number; ops: number; ms: number }) {
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  const client = async () => {
    while (next < loop.ops && performance.now() - started < loop.ms) {
      const i = next++;
      const t0 = performance.now();
      await op(i);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: loop.clients }, client));
  const ms = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
  const ops = latencies.length;
  return { clients: loop.clients, ops, ms, perSecond: (ops / ms) * 1000, p50: q(0.5), p99: q(0.99) };
}

/** `n` random live sessions of the seeded database, as [sessionId, userId] (one scan). */
export async function sampleSessions(d1: D1Database, n: number): Promise<Array<[string, string]>> {
  const live = 'SELECT id, user_id FROM sessions WHERE revoked_at IS NULL ORDER BY random() LIMIT ?';
  const { results } = await d1.prepare(live).bind(n).all<{ id: string; user_id: string }>();
  return results.map((r) => [r.id, r.user_id]);
}
