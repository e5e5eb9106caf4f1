/** The bench Workers built (`wrangler deploy --dry-run`) beside a migrated local D1, and served on the three HTTP paths. */
import type { ChildProcess } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForHealth } from '../scripts/process-group.ts';
import type { BenchWorker } from './cases.ts';
import type { BenchRun } from './processes.ts';
import { BENCH, COMPATIBILITY_DATE, D1_DATABASE_ID, type HttpPath, type WorkerConfig } from './settings.ts';

export type Target = { path: HttpPath; worker: BenchWorker; base: string };
export type Targets = Record<HttpPath, Record<BenchWorker, Target>>;
type Server = { child: ChildProcess; logPath: string };

/** `state`: local D1 states, `migrated` and a copy of it per server that needs one. */
export type BuiltWorkers = { build: string; state: string; configs: Record<BenchWorker, WorkerConfig> };

const CONFIG = { main: 'bench/wrangler.toml', peer: 'bench/peer.wrangler.toml' };

/** Builds both bench Workers into the run's temp dir and applies the migrations to a local D1. */
export async function buildBenchWorkers(run: BenchRun, configs: BuiltWorkers['configs']): Promise<BuiltWorkers> {
  const [build, state] = [join(run.tmp, 'build'), join(run.tmp, 'state')];
  const dryRun = (w: BenchWorker) => ['deploy', '--dry-run', '--config', CONFIG[w], '--outdir', join(build, w)];
  const migrated = join(state, 'migrated');
  await Promise.all([
    run.wrangler('build-main', dryRun('main')),
    run.wrangler('build-peer', dryRun('peer')),
    run.wrangler('migrate', [
      ...['d1', 'migrations', 'apply', 'DB', '--local'],
      '--persist-to',
      migrated,
      '--config',
      CONFIG.main,
    ]),
  ]);
  for (const copy of ['direct', 'dev-main', 'd1']) cpSync(migrated, join(state, copy), { recursive: true });
  return { build, state, configs };
}

/** Miniflare's options for a Worker's bundle; the main one with its bindings as in bench/wrangler.toml, D1 under `persistTo`. */
function miniflareOptions(built: BuiltWorkers, worker: BenchWorker, port: number, socket?: number, persistTo?: string) {
  const { vars, secrets } = built.configs[worker];
  const dir = join(built.build, worker);
  const options = {
    ...{ host: '127.0.0.1', port, logRequests: false, unsafeObservability: false, unsafeLocalExplorer: false },
    ...{ rootPath: dir, modules: true, scriptPath: join(dir, `${worker}.js`), compatibilityDate: COMPATIBILITY_DATE },
    bindings: { ...vars, ...secrets },
    // A workerd socket bound straight to the Worker, bypassing Miniflare's entry Worker (as `workerd serve` would).
    ...(socket ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: socket }] } : {}),
  };
  if (worker === 'peer') return options;
  return {
    ...options,
    resourcePersistencePath: join(persistTo ?? join(built.state, 'direct'), 'v3'), // wrangler's --persist-to layout
    d1Databases: { DB: D1_DATABASE_ID },
    ratelimits: { AUTH_RATE_LIMIT: { namespace_id: '1001', simple: { limit: 1_000_000, period: 60 } } },
    // The revocation feed, bound as in production: requireSession's snapshot really polls it.
    durableObjects: { REVOCATION_FEED: { className: 'RevocationFeed', useSQLite: true } },
  };
}

function startMiniflare(run: BenchRun, name: string, options: object): Server {
  const path = join(run.tmp, `${name}.json`);
  writeFileSync(path, JSON.stringify(options), { mode: 0o600 });
  return run.start(name, process.execPath, [join(BENCH, 'serve-direct.ts'), path]);
}

function startWranglerDev(
  run: BenchRun,
  built: BuiltWorkers,
  worker: BenchWorker,
  [port, inspector]: number[],
): Server {
  const name = `dev-${worker}`;
  const { vars, secrets } = built.configs[worker];
  const envFile = join(run.tmp, `${name}.env`);
  const dotEnv = Object.entries(secrets).map(([k, v]) => `${k}='${v}'\n`);
  writeFileSync(envFile, dotEnv.join(''), { mode: 0o600 });
  return run.startWrangler(name, [
    ...['dev', '--config', CONFIG[worker], '--ip', '127.0.0.1', '--port', String(port)],
    ...['--inspector-port', String(inspector), '--persist-to', join(built.state, name), '--env-file', envFile],
    ...['--show-interactive-dev-session=false', '--log-level', 'warn'],
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ]);
}

/** Waits for a server to answer (the main Worker on /health, the peer on its bare route). */
const up = (name: string, base: string, worker: BenchWorker, { child, logPath }: Server) =>
  waitForHealth(`${base}${worker === 'main' ? '/health' : '/bench/bare'}`, child, {
    name,
    timeoutMs: 120_000,
    logPath,
  });

/** Each Worker under wrangler dev and under Miniflare (with a direct socket), up and answering. */
export async function startServers(run: BenchRun, built: BuiltWorkers) {
  const targets = {} as Targets;
  const servers: Server[] = [];
  const waits: Promise<unknown>[] = [];
  for (const worker of ['main', 'peer'] as const) {
    const [dev, inspector, direct, socket] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const devServer = startWranglerDev(run, built, worker, [dev as number, inspector as number]);
    const directServer = startMiniflare(run, `direct-${worker}`, miniflareOptions(built, worker, direct, socket));
    servers.push(devServer, directServer);
    const at = (path: HttpPath, port: number, server: Server) => {
      targets[path] = { ...targets[path], [worker]: { path, worker, base: `http://127.0.0.1:${port}` } };
      waits.push(up(`${path} ${worker}`, targets[path][worker].base, worker, server));
    };
    at('wrangler-dev', dev, devServer);
    at('miniflare', direct, directServer);
    at('workerd-socket', socket, directServer);
  }
  await Promise.all(waits);
  return {
    targets,
    /** The process group of the main Worker's Miniflare server (workerd-socket and miniflare paths): its CPU time is read. */
    directMainGroup: servers[1]?.child.pid as number,
    stop: () => Promise.all(servers.map((s) => run.stop(s.child))).then(() => undefined),
  };
}

/** The main bench Worker on a Miniflare server of its own, its D1 under `persistTo` (e.g. a seeded one). */
export async function startMainServer(run: BenchRun, built: BuiltWorkers, persistTo: string) {
  const port = await freePort();
  const server = startMiniflare(run, 'd1-main', miniflareOptions(built, 'main', port, undefined, persistTo));
  const base = `http://127.0.0.1:${port}`;
  await up('d1-main', base, 'main', server);
  return { base, stop: () => run.stop(server.child) };
}

/** GET on a bench Worker's control surface; a non-200 rejects with the Worker's error and stack. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as T & { error?: string; stack?: string };
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.error ?? ''}\n${body.stack ?? ''}`);
  return body;
}
