/** The main bench Worker: the product app, unchanged, plus GET /bench/bare and GET /api/bench/me; `floor`: only the route. */
import { Hono } from 'hono';
import { createApp } from './app';
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

export default benchWorker({
  app: app.fetch,
  handlers: { sitewide: app.fetch, floor: floor.fetch },
  credentials,
  micro: microOps,
  routes: {
    '/__bench/feed': async (url, env) => feedCost(env, (await tokenContext(env)).config, url),
    ...d1Routes(app.fetch, tokenContext),
  },
});

/** The revocation feed the app polls (bench/wrangler.toml binds it as in production), timed from inside. */
export { BenchRevocationFeed as RevocationFeed } from './feed';
