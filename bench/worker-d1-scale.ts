/**
 * Worker for bench/d1-scale.ts (never deployed): runs the product's own D1 code from src/ —
 * `refreshSession`, `recordSignIn`, `revokeSession`, through drizzle on the D1 binding — in
 * loops inside workerd, against the seeded local database, and times them (the operations:
 * bench/worker-d1-ops.ts, shared with `npm run bench`'s D1 throughput case).
 *
 *   GET /sample?n=N                 N random live sessions: [[sessionId, userId], …] (one scan, once)
 *   POST /run {op, ops, clients, …}  `ops` operations split over `clients` concurrent loops
 */
import { dbFor } from '../src/db/client';
import {
  clientLoop,
  type D1OpInput,
  d1Op,
  metered,
  newTotals,
  perOp,
  recording,
  sampleSessions,
} from './worker-d1-ops';

interface Env {
  DB: D1Database;
}

type RunInput = D1OpInput & { ops: number; clients: number; sql?: boolean; meta?: boolean };

async function run(env: Env, input: RunInput) {
  const seen = new Set<string>();
  const totals = newTotals();
  const db = input.sql ? dbFor(recording(env.DB, seen)) : input.meta ? dbFor(metered(env.DB, totals)) : dbFor(env.DB);
  const timed = await clientLoop((i) => d1Op(db, input, i), { clients: input.clients, ops: input.ops });
  return {
    op: input.op,
    ...timed,
    ...(input.sql ? { sql: [...seen] } : {}),
    ...(input.meta ? { perOp: perOp(totals, input.ops) } : {}),
  };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/sample') {
      return Response.json(await sampleSessions(env.DB, Number(url.searchParams.get('n') ?? '1000')));
    }
    if (url.pathname === '/run') {
      try {
        return Response.json(await run(env, (await request.json()) as RunInput));
      } catch (error) {
        return new Response(String((error as Error).stack ?? error), { status: 500 });
      }
    }
    return new Response('not found', { status: 404 });
  },
};
