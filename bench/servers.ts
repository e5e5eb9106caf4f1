/**
 * The bench Workers and the servers that run them. Builds bench/worker.ts and bench/peer-worker.ts
 * (`wrangler deploy --dry-run`, as for production) and migrates a local D1; then starts each
 * Worker under `wrangler dev` and under Miniflare (bench/serve-direct.ts, with a workerd socket
 * bound straight to the Worker), which gives the three HTTP paths of settings.ts HTTP_PATHS.
 * Every server is its own process group of the BenchRun, stopped by PID.
 */
import type { ChildProcess } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitForHealth } from '../scripts/process-group.ts';
import type { BenchWorker } from './cases.ts';
import { type BenchRun, WRANGLER } from './processes.ts';
import type { DirectServerConfig } from './serve-direct.ts';
import { BENCH, COMPATIBILITY_DATE, D1_DATABASE_ID, type HttpPath, type WorkerConfig } from './settings.ts';

export interface Target {
  path: HttpPath;
  worker: BenchWorker;
  base: string;
}
export type Targets = Record<HttpPath, Record<BenchWorker, Target>>;

export interface BuiltWorkers {
  build: string;
  /** Local D1 state, migrated once; every server that needs D1 gets its own copy (`d1-scale`: seeded by phase-d1.ts). */
  state: string;
  configs: { main: WorkerConfig; peer: WorkerConfig };
}

/** Builds both bench Workers into the run's temp dir and applies the migrations to a local D1. */
export async function buildBenchWorkers(run: BenchRun, configs: BuiltWorkers['configs']): Promise<BuiltWorkers> {
  const build = join(run.tmp, 'build');
  const state = join(run.tmp, 'state');
  const config = (name: string) => ['--config', `bench/${name}`];
  await Promise.all([
    run.wrangler('build-main', ['deploy', '--dry-run', ...config('wrangler.toml'), '--outdir', join(build, 'main')]),
    run.wrangler('build-peer', [
      'deploy',
      '--dry-run',
      ...config('peer.wrangler.toml'),
      '--outdir',
      join(build, 'peer'),
    ]),
    run.wrangler('migrate', [
      ...['d1', 'migrations', 'apply', 'DB', '--local'],
      ...['--persist-to', join(state, 'dev'), ...config('wrangler.toml')],
    ]),
  ]);
  for (const copy of ['direct', 'profile', 'dev-main', 'd1-scale'])
    cpSync(join(state, 'dev'), join(state, copy), { recursive: true });
  return { build, state, configs };
}

export const baseUrl = (port: number) => `http://127.0.0.1:${port}`;
export const mainBundleMap = (built: BuiltWorkers) => join(built.build, 'main', 'worker.js.map');

/** The main bench Worker's bundle under Miniflare (bench/serve-direct.ts), with D1 from `stateCopy`. */
function mainDirectConfig(
  built: BuiltWorkers,
  stateCopy: string,
  ports: Partial<DirectServerConfig> & { port: number },
) {
  const { vars, secrets } = built.configs.main;
  return {
    scriptPath: join(built.build, 'main', 'worker.js'),
    ...ports,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ...vars, ...secrets },
    persistTo: join(built.state, stateCopy),
    d1DatabaseId: D1_DATABASE_ID,
    rateLimit: { name: 'AUTH_RATE_LIMIT', namespaceId: '1001', limit: 1_000_000, period: 60 },
    // The revocation feed, bound as in production (bench/wrangler.toml): requireSession's snapshot really polls it.
    durableObjects: { REVOCATION_FEED: 'RevocationFeed' },
  } satisfies DirectServerConfig;
}

function startMiniflare(run: BenchRun, name: string, config: DirectServerConfig) {
  const path = join(run.tmp, `${name}.json`);
  writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
  return run.start(name, process.execPath, [join(BENCH, 'serve-direct.ts'), path]);
}

function startWranglerDev(run: BenchRun, built: BuiltWorkers, worker: BenchWorker, port: number, inspector: number) {
  const name = `dev-${worker}`;
  const { vars, secrets } = built.configs[worker];
  const envFile = join(run.tmp, `${name}.env`);
  writeFileSync(
    envFile,
    `${Object.entries(secrets)
      .map(([k, v]) => `${k}='${v}'`)
      .join('\n')}\n`,
    { mode: 0o600 },
  );
  return run.start(name, process.execPath, [
    ...[WRANGLER, 'dev', '--config', worker === 'main' ? 'bench/wrangler.toml' : 'bench/peer.wrangler.toml'],
    ...['--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector)],
    ...['--persist-to', join(built.state, name), '--env-file', envFile],
    ...['--show-interactive-dev-session=false', '--log-level', 'warn'],
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ]);
}

/** Each Worker under wrangler dev and under Miniflare (with a direct socket), up and answering. */
export async function startServers(run: BenchRun, built: BuiltWorkers) {
  const ports = {
    devMain: await freePort(),
    devPeer: await freePort(),
    devMainInspector: await freePort(),
    devPeerInspector: await freePort(),
    directMain: await freePort(),
    directPeer: await freePort(),
    socketMain: await freePort(),
    socketPeer: await freePort(),
  };
  const peer = built.configs.peer;
  const servers = {
    devMain: startWranglerDev(run, built, 'main', ports.devMain, ports.devMainInspector),
    devPeer: startWranglerDev(run, built, 'peer', ports.devPeer, ports.devPeerInspector),
    directMain: startMiniflare(
      run,
      'direct-main',
      mainDirectConfig(built, 'direct', { port: ports.directMain, socketPort: ports.socketMain }),
    ),
    directPeer: startMiniflare(run, 'direct-peer', {
      scriptPath: join(built.build, 'peer', 'peer-worker.js'),
      port: ports.directPeer,
      socketPort: ports.socketPeer,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { ...peer.vars, ...peer.secrets },
    }),
  };
  const target = (path: HttpPath, main: number, peerPort: number): Record<BenchWorker, Target> => ({
    main: { path, worker: 'main', base: baseUrl(main) },
    peer: { path, worker: 'peer', base: baseUrl(peerPort) },
  });
  const targets: Targets = {
    'workerd-socket': target('workerd-socket', ports.socketMain, ports.socketPeer),
    miniflare: target('miniflare', ports.directMain, ports.directPeer),
    'wrangler-dev': target('wrangler-dev', ports.devMain, ports.devPeer),
  };
  // The main Worker answers /health; the peer has no such route, its bare one will do.
  const up = (t: Target, server: { child: ChildProcess; logPath: string }) =>
    waitForHealth(`${t.base}${t.worker === 'main' ? '/health' : '/bench/bare'}`, server.child, {
      name: `${t.path} ${t.worker}`,
      timeoutMs: 120_000,
      logPath: server.logPath,
    });
  await Promise.all([
    up(targets['wrangler-dev'].main, servers.devMain),
    up(targets['wrangler-dev'].peer, servers.devPeer),
    up(targets.miniflare.main, servers.directMain),
    up(targets.miniflare.peer, servers.directPeer),
  ]);
  await up(targets['workerd-socket'].main, servers.directMain);
  await up(targets['workerd-socket'].peer, servers.directPeer);
  return {
    targets,
    /** The process group of the main Worker's Miniflare server (workerd-socket and miniflare paths): its CPU time is read. */
    directMainGroup: servers.directMain.child.pid as number,
    stop: () => Promise.all(Object.values(servers).map((s) => run.stop(s.child))).then(() => undefined),
  };
}

/** The main bench Worker on a Miniflare server of its own, with D1 from the state copy `stateCopy` (e.g. the seeded one). */
export async function startMainServer(run: BenchRun, built: BuiltWorkers, stateCopy: string) {
  const port = await freePort();
  const server = startMiniflare(run, `${stateCopy}-main`, mainDirectConfig(built, stateCopy, { port }));
  await waitForHealth(`${baseUrl(port)}/health`, server.child, {
    name: `${stateCopy}-main`,
    timeoutMs: 120_000,
    logPath: server.logPath,
  });
  return { base: baseUrl(port), group: server.child.pid as number, stop: () => run.stop(server.child) };
}

/** The main bench Worker on a Miniflare server of its own, with the DevTools inspector open (CPU profiles). */
export async function startProfilingServer(run: BenchRun, built: BuiltWorkers) {
  const port = await freePort();
  const inspectorPort = await freePort();
  const server = startMiniflare(run, 'profile-main', mainDirectConfig(built, 'profile', { port, inspectorPort }));
  await waitForHealth(`${baseUrl(port)}/health`, server.child, {
    name: 'profile-main',
    timeoutMs: 120_000,
    logPath: server.logPath,
  });
  return { base: baseUrl(port), inspectorPort, stop: () => run.stop(server.child) };
}

/** GET on a bench Worker's control surface; a non-200 rejects with the Worker's error and stack. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as T & { error?: string; stack?: string };
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.error ?? ''}\n${body.stack ?? ''}`);
  return body;
}
