/**
 * The bench Workers and their servers: both built with `wrangler deploy --dry-run` (as for
 * production) beside a migrated local D1, then each served under `wrangler dev` and under
 * Miniflare (bench/serve-direct.ts, with a workerd socket bound straight to the Worker): the three
 * HTTP paths of settings.ts. Every server is its own process group of the BenchRun.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForHealth } from '../scripts/process-group.ts';
import type { BenchWorker } from './cases.ts';
import type { BenchRun } from './processes.ts';
import type { DirectServerConfig } from './serve-direct.ts';
import { BENCH, COMPATIBILITY_DATE, D1_DATABASE_ID, type HttpPath, type WorkerConfig } from './settings.ts';

export interface Target {
  path: HttpPath;
  worker: BenchWorker;
  base: string;
}
export type Targets = Record<HttpPath, Record<BenchWorker, Target>>;
type Server = { child: ChildProcess; logPath: string };

export interface BuiltWorkers {
  build: string;
  /** Local D1 states: `migrated`, and a copy of it per server that needs one. */
  state: string;
  configs: Record<BenchWorker, WorkerConfig>;
}

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
      'd1',
      'migrations',
      'apply',
      'DB',
      '--local',
      '--persist-to',
      migrated,
      '--config',
      CONFIG.main,
    ]),
  ]);
  for (const copy of ['direct', 'dev-main', 'd1']) cpSync(migrated, join(state, copy), { recursive: true });
  return { build, state, configs };
}

/** A Worker's bundle under Miniflare; the main one with its bindings as in bench/wrangler.toml, D1 under `persistTo`. */
function directConfig(built: BuiltWorkers, worker: BenchWorker, port: number, more: Partial<DirectServerConfig> = {}) {
  const { vars, secrets } = built.configs[worker];
  const scriptPath = join(built.build, worker, `${worker}.js`);
  const config = {
    scriptPath,
    port,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ...vars, ...secrets },
    ...more,
  };
  if (worker === 'peer') return config;
  return {
    persistTo: join(built.state, 'direct'),
    ...config,
    d1DatabaseId: D1_DATABASE_ID,
    rateLimit: { name: 'AUTH_RATE_LIMIT', namespaceId: '1001', limit: 1_000_000, period: 60 },
    // The revocation feed, bound as in production: requireSession's snapshot really polls it.
    durableObjects: { REVOCATION_FEED: 'RevocationFeed' },
  };
}

function startMiniflare(run: BenchRun, name: string, config: DirectServerConfig): Server {
  const path = join(run.tmp, `${name}.json`);
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return run.start(name, process.execPath, [join(BENCH, 'serve-direct.ts'), path]);
}

function startWranglerDev(
  run: BenchRun,
  built: BuiltWorkers,
  worker: BenchWorker,
  port: number,
  inspector: number,
): Server {
  const name = `dev-${worker}`;
  const { vars, secrets } = built.configs[worker];
  const envFile = join(run.tmp, `${name}.env`);
  writeFileSync(
    envFile,
    Object.entries(secrets)
      .map(([k, v]) => `${k}='${v}'\n`)
      .join(''),
    { mode: 0o600 },
  );
  return run.startWrangler(name, [
    ...['dev', '--config', CONFIG[worker], '--ip', '127.0.0.1', '--port', String(port)],
    ...['--inspector-port', String(inspector), '--persist-to', join(built.state, name), '--env-file', envFile],
    ...['--show-interactive-dev-session=false', '--log-level', 'warn'],
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ]);
}

/** Waits for a server to answer (the main Worker on /health, the peer on its bare route). */
const up = (name: string, base: string, worker: BenchWorker, server: Server) =>
  waitForHealth(`${base}${worker === 'main' ? '/health' : '/bench/bare'}`, server.child, {
    name,
    timeoutMs: 120_000,
    logPath: server.logPath,
  });

/** Each Worker under wrangler dev and under Miniflare (with a direct socket), up and answering. */
export async function startServers(run: BenchRun, built: BuiltWorkers) {
  const targets = {} as Targets;
  const servers: Server[] = [];
  const waits: Promise<unknown>[] = [];
  for (const worker of ['main', 'peer'] as const) {
    const [dev, inspector, direct, socket] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const devServer = startWranglerDev(run, built, worker, dev, inspector);
    const directServer = startMiniflare(
      run,
      `direct-${worker}`,
      directConfig(built, worker, direct, { socketPort: socket }),
    );
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
  const server = startMiniflare(run, 'd1-main', directConfig(built, 'main', port, { persistTo }));
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
