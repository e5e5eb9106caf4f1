/**
 * D1 throughput (bench/phases/d1.ts): GET /__bench/d1/prepare?n=N draws live sessions; GET /__bench/d1/run?op&clients
 * [&ms|&ops][&meta][&sql] runs a d1-ops.ts operation or `GET /api/me` (`api-me`: expired token, `api-me-fresh`).
 */
import { dbFor } from './app';
import { type ControlRoute, intParam } from './control';
import { meteredD1, newTally, perOp } from './d1-meter';
import { clientLoop, D1_OP_NAMES, type D1OpName, d1Op, sampleSessions } from './d1-ops';
import type { Handler } from './loops';
import { sessionCookie, type TokenContext } from './tokens';

const COUNTS = `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM sessions) AS sessions,
  (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM auth_events) AS events`;

let prepared: Awaited<ReturnType<typeof prepare>> | undefined;

async function prepare(env: Env, k: TokenContext, n: number) {
  const counts = (await env.DB.prepare(COUNTS).first<Record<string, number>>()) ?? {};
  const pairs = await sampleSessions(env.DB, n);
  const reads = pairs.slice(0, Math.floor(pairs.length / 2));
  const now = new Date();
  const request = async ([sid, sub]: [string, string], expired: boolean) => {
    const profile = { email: `${sub}@example.com`, name: 'User', picture: null };
    const { cookie } = await sessionCookie(k, [sub, sid], profile, now, expired);
    return new Request(new URL('/api/me', k.config.apiOrigin), { headers: { cookie } });
  };
  const signed = reads.slice(0, 1000);
  const apiMe = {
    'api-me': await Promise.all(signed.map((pair) => request(pair, true))),
    'api-me-fresh': await Promise.all(signed.map((pair) => request(pair, false))),
  };
  const revocations = pairs.slice(reads.length);
  return { reads, revocations, revoked: 0, users: counts.users ?? 0, apiMe, counts };
}

/** One `GET /api/me` through the app, its answer checked (an expired token must come back refreshed). */
const apiMeOp =
  (app: Handler, requests: Request[], refreshes: boolean, env: Env, ctx: ExecutionContext) => async () => {
    const res = await app(requests[Math.floor(Math.random() * requests.length)] as Request, env, ctx);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${res.status} ${body}`);
    if (refreshes && !res.headers.get('set-cookie')) throw new Error('the expired token was not refreshed');
  };

export function d1Routes(app: Handler, context: (env: Env) => Promise<TokenContext>): Record<string, ControlRoute> {
  return {
    '/__bench/d1/prepare': async (url, env) => {
      prepared = await prepare(env, await context(env), intParam(url, 'n', 20_000, 200_000));
      return { ...prepared.counts, reads: prepared.reads.length, revocations: prepared.revocations.length };
    },
    '/__bench/d1/run': async (url, env, ctx) => {
      const p = prepared;
      if (!p) throw new Error('GET /__bench/d1/prepare first');
      const op = url.searchParams.get('op') ?? '';
      const tally = { ...newTally(), ...(url.searchParams.has('sql') ? { sql: new Set<string>() } : {}) };
      const meta = url.searchParams.has('meta');
      const d1 = meta || tally.sql ? meteredD1(env.DB, tally, meta) : env.DB;
      const number = (name: string) => Number(url.searchParams.get(name) ?? Number.POSITIVE_INFINITY);
      const loop = { clients: intParam(url, 'clients', 1, 64), ops: number('ops'), ms: number('ms') };
      let run: (i: number) => Promise<void>;
      if ((D1_OP_NAMES as readonly string[]).includes(op)) {
        // A revocation takes a session no run has revoked yet.
        const pairs = op === 'revoke' ? p.revocations.slice(p.revoked) : p.reads;
        if (pairs.length === 0) throw new Error('no sessions left to revoke: prepare with a larger n');
        const db = dbFor(d1);
        run = (i) => d1Op(db, { op: op as D1OpName, pairs, users: p.users }, i);
      } else if (op === 'api-me' || op === 'api-me-fresh') {
        run = apiMeOp(app, p.apiMe[op], op === 'api-me', { ...env, DB: d1 } as Env, ctx);
      } else throw new Error(`unknown op '${op}'`);
      const timed = await clientLoop(run, loop);
      if (op === 'revoke') p.revoked += timed.ops;
      const sql = tally.sql ? { sql: [...tally.sql] } : {};
      return { op, ...timed, ...(meta ? { perOp: perOp(tally, timed.ops) } : {}), ...sql };
    },
  };
}
