/**
 * The /__bench control surface both bench Workers serve (bench/workers/main.ts, peer.ts), inside
 * workerd, over the case table of bench/cases.ts:
 *
 *   GET /__bench/credentials             the headers of each credential this Worker's cases carry
 *   GET /__bench/run?case=NAME&n=N       one case's request through its handler n times, timed here
 *   GET /__bench/micro?case=NAME&n=N     one of the parts on its own, n times
 *   GET /__bench/mix?cases=A,B&ms=T      the cases interleaved chunk by chunk for T ms (micro=1: the parts)
 *   GET /__bench/outbound[?reset=1]      outbound fetches of this isolate, by URL
 *   …and the Worker's own routes (the revocation feed's cost, the D1 throughput case)
 *
 * Everything else goes to the app; the sign-in callback answers with its server time.
 */
import { type BenchCase, CASES, type CaseApp, type Credential, type Credentials } from '../cases';
import { outboundCounts, timed } from './counters';
import { type BenchOp, type Handler, requestOp, runBatch, runMix } from './loops';

export interface BenchWorker {
  /** What the Worker serves outside /__bench/*. */
  app: Handler;
  /** Who answers the cases of each app this Worker serves. */
  handlers: Partial<Record<CaseApp, Handler>>;
  /** The headers of each credential its cases carry: those `wanted` (a pool only when asked for). */
  credentials(env: Env, wanted?: readonly Credential[]): Promise<Credentials>;
  /** The parts on their own, for a Worker that has them. */
  micro?(env: Env): Promise<Record<string, () => Promise<unknown>>>;
  /** More control routes (GET /__bench/…), answered as JSON. */
  routes?: Record<string, ControlRoute>;
}

export type ControlRoute = (url: URL, env: Env, ctx: ExecutionContext) => Promise<unknown>;

export function intParam(url: URL, name: string, fallback: number, max: number): number {
  const n = Number(url.searchParams.get(name) ?? fallback);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

const names = (url: URL, param: string) => (url.searchParams.get(param) ?? '').split(',').filter(Boolean);

/** The Worker's default export: the control surface in front of `worker.app`. */
export function benchWorker(worker: BenchWorker): ExportedHandler<Env> {
  /** Each named case's request, built once: its route from the table, its credential minted now. */
  async function caseOps(env: Env, ctx: ExecutionContext, cases: string[]): Promise<BenchOp[]> {
    const specs = cases.map((name): [string, BenchCase] => {
      const spec = (CASES as Record<string, BenchCase>)[name];
      if (!spec) throw new Error(`unknown case '${name}'`);
      return [name, spec];
    });
    const credentials = await worker.credentials(env, [...new Set(specs.map(([, spec]) => spec.credential))]);
    return specs.map(([name, spec]) => {
      const handler = worker.handlers[spec.app];
      const headers = credentials[spec.credential];
      if (!handler || !headers) throw new Error(`case '${name}' is not served by this Worker`);
      const url = new URL(spec.path, env.AUTH_URL);
      const requests = (Array.isArray(headers) ? headers : [headers]).map((h) => new Request(url, { headers: h }));
      // A case with vars of its own gets its own copy of env (and so its own Config).
      return requestOp(name, { requests, handler, env: spec.vars ? ({ ...env, ...spec.vars } as Env) : env }, ctx);
    });
  }

  async function microOps(env: Env, cases: string[]): Promise<BenchOp[]> {
    const ops = (await worker.micro?.(env)) ?? {};
    return cases.map((name) => {
      const op = ops[name];
      if (!op) throw new Error(`unknown micro case '${name}'`);
      return { name, op: async () => void (await op()) };
    });
  }

  const only = (ops: BenchOp[]) => {
    if (ops.length !== 1) throw new Error('name one case');
    return ops[0] as BenchOp;
  };
  const routes: Record<string, ControlRoute> = {
    ...worker.routes,
    '/__bench/credentials': async (_url, env) => worker.credentials(env),
    '/__bench/run': async (url, env, ctx) =>
      runBatch(only(await caseOps(env, ctx, names(url, 'case'))), intParam(url, 'n', 10_000, 100_000)),
    '/__bench/micro': async (url, env) =>
      runBatch(only(await microOps(env, names(url, 'case'))), intParam(url, 'n', 10_000, 2_000_000)),
    '/__bench/mix': async (url, env, ctx) => {
      const cases = names(url, 'cases');
      const ops = url.searchParams.has('micro') ? await microOps(env, cases) : await caseOps(env, ctx, cases);
      const budgetMs = intParam(url, 'ms', 2_000, 60_000);
      return runMix(ops, { budgetMs, chunkMs: intParam(url, 'chunkMs', 15, 1_000), minCycles: 5 });
    },
    '/__bench/outbound': async (url) => outboundCounts(url.searchParams.has('reset')),
  };

  async function control(url: URL, env: Env, ctx: ExecutionContext): Promise<Response> {
    const route = routes[url.pathname];
    if (!route) return Response.json({ error: 'no such bench route' }, { status: 404 });
    try {
      return Response.json(await route(url, env, ctx));
    } catch (error) {
      return Response.json({ error: String(error), stack: (error as Error).stack }, { status: 500 });
    }
  }

  return {
    fetch(request, env, ctx) {
      const url = new URL(request.url);
      if (url.pathname.startsWith('/__bench/')) return control(url, env, ctx);
      if (url.pathname.startsWith('/auth/callback/')) return timed(async () => worker.app(request, env, ctx));
      return worker.app(request, env, ctx);
    },
  };
}
