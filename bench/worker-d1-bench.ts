/**
 * `npm run bench`'s D1 throughput case, inside the main bench Worker (bench/worker.ts) served on
 * a local D1 seeded with many sessions (bench/phase-d1.ts seeds it):
 *
 *   GET /__bench/d1/prepare?n=N        N random live sessions drawn once (half for reads, half
 *                                      for revocations), tokens signed for the reads
 *   GET /__bench/d1/run?op=OP&clients=C&ms=T[&meta=1&ops=N]
 *                                      OP from C concurrent loops for T ms (meta=1: N operations
 *                                      untimed, with D1's meta per operation)
 *
 * OP is one of bench/worker-d1-ops.ts (the product's `refreshSession`, `recordSignIn`,
 * `revokeSession` on the binding) or `GET /api/me` through the whole product app:
 * `api-me` with an expired token (every call refreshes: the D1-bound figure), `api-me-fresh`
 * with a fresh one (answered from the token: no D1).
 */
import type { Config } from '../src/config';
import { dbFor } from '../src/db/client';
import type { SigningKeys } from '../src/session/keys';
import { signSessionToken } from '../src/session/token';
import type { ControlRoute } from './worker-control';
import { intParam } from './worker-control';
import { clientLoop, type D1OpName, d1Op, metered, newTotals, perOp, sampleSessions } from './worker-d1-ops';

type Handler = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
interface Keys {
  config: Config;
  keys: SigningKeys;
  ctx: { issuer: string; audience: string; maxLifetime: number };
}

const D1_OPS: readonly D1OpName[] = ['refresh', 'refresh-slide', 'signin', 'signin-new', 'revoke'];
const APP_OPS = ['api-me', 'api-me-fresh'] as const;
/** Sessions whose tokens are signed for the `api-me` cases (drawn at random per call). */
const SIGNED = 1000;

interface Prepared {
  reads: Array<[string, string]>;
  revocations: Array<[string, string]>;
  revoked: number;
  users: number;
  sessions: number;
  expired: Request[];
  fresh: Request[];
}

let prepared: Prepared | undefined;

async function prepare(env: Env, k: Keys, n: number): Promise<Prepared> {
  const counts = await env.DB.prepare(
    'SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM sessions) AS sessions',
  ).first<{ users: number; sessions: number }>();
  const pairs = await sampleSessions(env.DB, n);
  const half = Math.floor(pairs.length / 2);
  const reads = pairs.slice(0, half);
  const now = new Date();
  const iat = Math.floor(now.getTime() / 1000);
  const ttl = k.config.sessionTokenTtl;
  const url = new URL('/api/me', k.config.apiOrigin);
  const request = (token: string) =>
    new Request(url, { headers: { cookie: `${k.config.sessionCookieName}=${token}` } });
  const signed = reads.slice(0, SIGNED);
  const sign = (sid: string, sub: string, expired: boolean) =>
    signSessionToken(
      {
        sub,
        sid,
        ttl,
        profile: { email: `${sub}@example.com`, name: 'User', picture: null },
        ...(expired ? { iat: iat - 2 * ttl, exp: iat - ttl } : {}),
      },
      k.keys,
      { ...k.ctx, now },
    );
  return {
    reads,
    revocations: pairs.slice(half),
    revoked: 0,
    users: counts?.users ?? 0,
    sessions: counts?.sessions ?? 0,
    expired: await Promise.all(signed.map(async ([sid, sub]) => request(await sign(sid, sub, true)))),
    fresh: await Promise.all(signed.map(async ([sid, sub]) => request(await sign(sid, sub, false)))),
  };
}

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)] as T;

/** The control routes of the D1 case; `context` gives the main Worker's Config and keys. */
export function d1Routes(deps: { app: Handler; context: (env: Env) => Promise<Keys> }): Record<string, ControlRoute> {
  return {
    '/__bench/d1/prepare': async (url, env) => {
      prepared = await prepare(env, await deps.context(env), intParam(url, 'n', 20_000, 200_000));
      const { reads, revocations, users, sessions } = prepared;
      return { users, sessions, reads: reads.length, revocations: revocations.length, signed: prepared.expired.length };
    },
    '/__bench/d1/run': async (url, env, ctx) => {
      const p = prepared;
      if (!p) throw new Error('GET /__bench/d1/prepare first');
      const op = url.searchParams.get('op') ?? '';
      const meta = url.searchParams.has('meta');
      const totals = newTotals();
      const d1 = meta ? metered(env.DB, totals) : env.DB;
      const clients = intParam(url, 'clients', 1, 64);
      const loop = meta
        ? { clients: 1, ops: intParam(url, 'ops', 200, 10_000) }
        : { clients, ms: intParam(url, 'ms', 1000, 60_000) };
      let run: (i: number) => Promise<void>;
      if ((D1_OPS as readonly string[]).includes(op)) {
        const db = dbFor(d1);
        const revoke = op === 'revoke';
        // A revocation takes a session no run has revoked yet: this run's share of them, in order.
        const pairs = revoke ? p.revocations.slice(p.revoked) : p.reads;
        if (pairs.length === 0) throw new Error('no sessions left to revoke: prepare with a larger n');
        run = (i) => d1Op(db, { op: op as D1OpName, pairs, users: p.users }, i);
        const timed = await clientLoop(run, loop);
        if (revoke) p.revoked += timed.ops;
        return { op, ...timed, ...(meta ? { perOp: perOp(totals, timed.ops) } : {}) };
      }
      if (!(APP_OPS as readonly string[]).includes(op)) throw new Error(`unknown op '${op}'`);
      const appEnv = { ...env, DB: d1 } as Env;
      const requests = op === 'api-me' ? p.expired : p.fresh;
      run = async () => {
        const res = await deps.app(pick(requests), appEnv, ctx);
        const body = await res.text();
        if (res.status !== 200) throw new Error(`${op}: ${res.status} ${body}`);
        if (op === 'api-me' && !res.headers.get('set-cookie'))
          throw new Error('api-me: the expired token was not refreshed');
      };
      const timed = await clientLoop(run, loop);
      return { op, ...timed, ...(meta ? { perOp: perOp(totals, timed.ops) } : {}) };
    },
  };
}
