/**
 * The main bench Worker: the product app, unchanged, plus GET /bench/bare and GET /api/bench/me; `floor`: only the
 * route; the gate (GATES: GATED_ORIGIN) and a plain pass-through Worker (PASSTHROUGH_ORIGIN) to the same origin.
 */
import { Hono } from 'hono';
import { GATED_ORIGIN, PASSTHROUGH_ORIGIN } from '../cases';
import { createApp, createGate, gateFor, type Upstream } from './app';
import { benchWorker } from './control';
import { d1Routes } from './d1';
import { feedCost } from './feed';
import { microOps } from './micro';
import { credentials, SEED, tokenContext } from './tokens';

/** Every benchmarked route answers exactly this JSON (GET /api/me's shape). */
const USER_JSON = { id: SEED.userId, email: SEED.email, name: SEED.name, image: SEED.image };

const app = createApp();
app.get('/bench/bare', (c) => c.json(USER_JSON));
app.get('/api/bench/me', (c) => c.json({ ...USER_JSON, id: c.var.session.sub }));

const floor = new Hono().get('/bench/bare', (c) => c.json(USER_JSON));

/** The loopback origin the gate and the pass-through forward to (settings.ts BENCH_ORIGIN; also GATES' `origin`). */
const originOf = (env: Env) => (env as unknown as { BENCH_ORIGIN: string }).BENCH_ORIGIN;
const passThrough = (upstream: Upstream) => (request: Request, env: Env) =>
  upstream(new Request(`${originOf(env)}${request.url.slice(PASSTHROUGH_ORIGIN.length)}`, request));
/** In the isolate the origin answers at once, with no I/O: what is measured is the Worker's own work. */
const standIn: Upstream = async () => Response.json(USER_JSON);
const gateInIsolate = createGate(standIn);
const gate = createGate();
const passThroughInIsolate = passThrough(standIn);
const passThroughOverHttp = passThrough((request) => fetch(request));

export default benchWorker({
  // Over HTTP: the Host picks the gate, the pass-through or the product app, as the Worker's own entry does.
  app: (request, env, ctx) => {
    const gated = gateFor(request, env);
    if (gated) return gate(request, env, ctx, gated);
    if (request.url.startsWith(`${PASSTHROUGH_ORIGIN}/`)) return passThroughOverHttp(request, env);
    return app.fetch(request, env, ctx);
  },
  handlers: {
    sitewide: app.fetch,
    floor: floor.fetch,
    gate: (request, env, ctx) => {
      const gated = gateFor(request, env);
      if (!gated || !request.url.startsWith(GATED_ORIGIN)) throw new Error('the gate case needs GATES');
      return gateInIsolate(request, env, ctx, gated);
    },
    passthrough: passThroughInIsolate,
  },
  credentials,
  micro: microOps,
  routes: {
    '/__bench/feed': async (url, env) => feedCost(env, (await tokenContext(env)).config, url),
    ...d1Routes(app.fetch, tokenContext),
  },
});

/** The revocation feed the app polls (bench/wrangler.toml binds it as in production), timed from inside. */
export { BenchRevocationFeed as RevocationFeed } from './feed';
