/**
 * The /__bench control surface of both bench Workers: credentials, mix (the cases, or micro=1 the parts, interleaved),
 * outbound, and the Worker's own routes. Everything else goes to the app; the sign-in callback reports its server time.
 */
import { type BenchCase, CASES, type CaseApp, type Credential, type Credentials } from '../cases';
import { outboundCounts, timed } from './counters';
import { meteredD1, newTally } from './d1-meter';
import { type BenchOp, type Handler, runMix } from './loops';

export interface BenchWorker {
  app: Handler;
  /** Who answers the cases of each app this Worker serves. */
  handlers: Partial<Record<CaseApp, Handler>>;
  /** The headers of each credential its cases carry: those `wanted` (a pool only when asked for). */
  credentials(env: Env, wanted?: readonly Credential[]): Promise<Credentials>;
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
      const requests = (Array.isArray(headers) ? headers : [headers]).map(
        // A gated host's request as a Worker receives one: `redirect: 'manual'` (the gate forwards it so).
        (h) =>
          new Request(new URL(spec.path, spec.origin ?? env.AUTH_URL), {
            headers: h,
            ...(spec.origin ? { redirect: 'manual' as const } : {}),
          }),
      );
      // A case with vars of its own gets its own copy of env (and so its own Config); D1 is tallied.
      const tally = newTally();
      const caseEnv = { ...env, ...spec.vars, ...(env.DB ? { DB: meteredD1(env.DB, tally) } : {}) } as Env;
      let i = 0;
      const op = async () => {
        const res = await handler(requests[i++ % requests.length] as Request, caseEnv, ctx);
        await res.arrayBuffer();
        return res.status;
      };
      return { name, op, tally };
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

  const routes: Record<string, ControlRoute> = {
    ...worker.routes,
    '/__bench/credentials': async (_url, env) => worker.credentials(env),
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
