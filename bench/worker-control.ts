/**
 * The /__bench control surface both bench Workers serve (bench/worker.ts, bench/peer-worker.ts),
 * inside workerd, with the case table of bench/cases.ts:
 *
 *   GET /__bench/credentials             the headers of each credential this Worker's cases carry
 *   GET /__bench/run?case=NAME&n=N       app.fetch() the case's request n times, timed here
 *   GET /__bench/micro?case=NAME&n=N     one of the parts on its own, n times
 *   GET /__bench/mix?cases=A,B&ms=T      the cases interleaved chunk by chunk for T ms (micro=1: the parts)
 *   GET /__bench/outbound[?reset=1]      outbound fetches of this isolate, by URL
 *   …and the Worker's own routes (BenchWorker.routes: the revocation feed's cost, the D1 throughput case)
 *
 * Everything else goes to the app; the sign-in callback answers with its server time.
 */
import { type BenchCase, CASES, type CaseApp, type Credential, type Credentials } from './cases';
import { outboundCounts, timed } from './worker-counters';
import { type BenchRequest, type MixEntry, requestEntry, runLoop, runMicro, runMix } from './worker-loops';

type Handler = BenchRequest['handler'];

export interface BenchWorker {
  /** What the Worker serves outside /__bench/*. */
  app: Handler;
  /** Who answers the cases of each app this Worker serves (see CaseApp). */
  handlers: Partial<Record<CaseApp, Handler>>;
  /**
   * The headers of each credential its cases carry, minted for this request: those `wanted`, or
   * every single-request credential when not said (a pool is minted only when asked for).
   */
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

function mixOptions(url: URL) {
  return {
    budgetMs: intParam(url, 'ms', 2_000, 60_000),
    chunkMs: intParam(url, 'chunkMs', 15, 1_000),
    minCycles: intParam(url, 'minCycles', 5, 1_000),
  };
}

const names = (url: URL, param: string) => (url.searchParams.get(param) ?? '').split(',').filter(Boolean);

/** The Worker's default export: the control surface in front of `worker.app`. */
export function benchWorker(worker: BenchWorker): ExportedHandler<Env> {
  /** Each named case's request, built once: its route from the table, its credential minted now. */
  async function caseRequests(env: Env, cases: string[]): Promise<{ name: string; bench: BenchRequest }[]> {
    const specs = cases.map((name) => {
      const spec: BenchCase | undefined = (CASES as Record<string, BenchCase>)[name];
      if (!spec) throw new Error(`unknown case '${name}'`);
      return { name, spec };
    });
    const credentials = await worker.credentials(env, [...new Set(specs.map(({ spec }) => spec.credential))]);
    return specs.map(({ name, spec }) => {
      const handler = worker.handlers[spec.app];
      const headers = credentials[spec.credential];
      if (!handler || !headers) throw new Error(`case '${name}' is not served by this Worker`);
      const url = new URL(spec.path, env.AUTH_URL);
      const requests = (Array.isArray(headers) ? headers : [headers]).map((h) => new Request(url, { headers: h }));
      // A case with vars of its own gets its own copy of env (and so its own Config, parsed once per env object).
      const caseEnv = spec.vars ? ({ ...env, ...spec.vars } as Env) : env;
      return { name, bench: { requests, handler, env: caseEnv } };
    });
  }

  async function microOps(env: Env, cases: string[]) {
    const ops = (await worker.micro?.(env)) ?? {};
    return cases.map((name) => {
      const op = ops[name];
      if (!op) throw new Error(`unknown micro case '${name}'`);
      return { name, op };
    });
  }

  async function mix(url: URL, env: Env, ctx: ExecutionContext) {
    const entries: MixEntry[] = url.searchParams.has('micro')
      ? (await microOps(env, names(url, 'cases'))).map(({ name, op }) => ({
          name,
          op: async () => {
            await op();
            return undefined;
          },
        }))
      : (await caseRequests(env, names(url, 'cases'))).map(({ name, bench }) => requestEntry(name, bench, ctx));
    return runMix(entries, mixOptions(url));
  }

  const routes: Record<string, ControlRoute> = {
    ...worker.routes,
    '/__bench/credentials': async (_url, env) => worker.credentials(env),
    '/__bench/run': async (url, env, ctx) => {
      const [only] = await caseRequests(env, names(url, 'case').slice(0, 1));
      if (!only) throw new Error('no case');
      return runLoop(only.name, intParam(url, 'n', 10_000, 100_000), only.bench, ctx);
    },
    '/__bench/micro': async (url, env) => {
      const [only] = await microOps(env, names(url, 'case').slice(0, 1));
      if (!only) throw new Error('no micro case');
      return runMicro(only.name, intParam(url, 'n', 10_000, 2_000_000), only.op);
    },
    '/__bench/mix': mix,
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
      // The sign-in callback reports its server-side time; everything else is served untouched.
      if (url.pathname.startsWith('/auth/callback/')) return timed(async () => worker.app(request, env, ctx));
      return worker.app(request, env, ctx);
    },
  };
}
