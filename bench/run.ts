/**
 * npm run bench: the cost of authentication, against the bare route and against @hono/auth-js.
 *
 * One run, everything interleaved over ROUNDS rounds (cases round-robin, starting one further
 * each round), medians with min–max:
 *   1. inside the isolate: µs per request of app.fetch() in a loop (bench/worker.ts /__bench/run),
 *      plus the parts on their own (verify, sign) and a CPU profile of the fresh-cookie path;
 *   2. over HTTP on loopback with autocannon, through `wrangler dev` (its dev proxy) and through
 *      Miniflare's own workerd server serving the `wrangler deploy --dry-run` bundle;
 *   3. sign-in against the loopback OIDC server: the callback's server-side time and the
 *      Worker's outbound requests (discovery once per isolate);
 *   4. the production bundle, minified and gzip.
 * Writes bench/RESULTS.md and bench/results.json. Every server it starts runs in its own
 * process group and is stopped by PID, also on failure or Ctrl-C.
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_HTTP_SECONDS (2), BENCH_CONNECTIONS (10),
 * BENCH_ISOLATE_MS (2000: length of one in-isolate sample of the product's cases; 2 per round),
 * BENCH_SIGNINS (4 per round).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { startOidcServer } from '../scripts/oidc-server.ts';
import { generateAuthSecret, generateSigningJwk } from '../scripts/secrets.ts';
import { CookieJar } from '../test/support/cookies.ts';
import { type ProfileSummary, profileWorker } from './profile.ts';
import type { DirectServerConfig } from './serve-direct.ts';

const ROOT = resolve(import.meta.dirname, '..');
const BENCH = join(ROOT, 'bench');
const envNumber = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};
const OPTIONS = {
  rounds: Math.round(envNumber('BENCH_ROUNDS', 3)),
  httpSeconds: envNumber('BENCH_HTTP_SECONDS', 2),
  httpWarmupSeconds: 0.3,
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 10)),
  /** In the isolate: per round, this many passes of each mix (the product's cases, the peer's, the parts). */
  isolatePasses: 2,
  mainMixMs: envNumber('BENCH_ISOLATE_MS', 2_000),
  peerMixMs: 1_000,
  microMixMs: 1_000,
  chunkMs: 20,
  signInsPerRound: Math.round(envNumber('BENCH_SIGNINS', 4)),
};

const API_ORIGIN = 'https://api.example.test';
const D1_DATABASE_ID = '00000000-0000-0000-0000-000000000000';
const COMPATIBILITY_DATE = /compatibility_date\s*=\s*"([^"]+)"/.exec(
  readFileSync(join(BENCH, 'wrangler.toml'), 'utf8'),
)?.[1] as string;

/** Cases inside the isolate: the product's routes (bench/worker.ts) and the peer's (bench/peer-worker.ts). */
const MAIN_CASES = ['bare', 'me-fresh', 'me-fresh-db', 'refresh', 'bearer', 'me-fresh-cached'] as const;
const PEER_CASES = ['peer-bare', 'peer-hono-authjs'] as const;
const ISOLATE_CASES = ['floor', ...MAIN_CASES, ...PEER_CASES] as const;
/** Over HTTP: ratios are to the product's `bare`; peer-bare is left to the isolate figures. */
const HTTP_CASES = [...MAIN_CASES, 'peer-hono-authjs'] as const;
/** The cached-verify prototype is load-tested on the direct socket only (time budget). */
const httpCasesFor = (path: HttpPath) => HTTP_CASES.filter((c) => c !== 'me-fresh-cached' || path === 'workerd-socket');
const MICRO_CASES = [
  'verify-es256-webcrypto',
  'verify-jose',
  'sign-jose',
  'verify-ed25519-webcrypto',
  'verify-hs256-webcrypto',
  'verified-token-cache-hit',
  'console-log-line',
] as const;
type HttpCase = (typeof HTTP_CASES)[number];
const isPeer = (name: string) => name.startsWith('peer-');
/**
 * The HTTP paths into the same Workers: a workerd socket bound straight to the Worker (no
 * Miniflare entry Worker, no dev proxy: what `workerd serve` on the bundle does), Miniflare's own
 * server (its entry Worker in front), and `wrangler dev` (its dev proxy in front).
 */
const HTTP_PATHS = ['workerd-socket', 'miniflare', 'wrangler-dev'] as const;
type HttpPath = (typeof HTTP_PATHS)[number];

// ---------------------------------------------------------------- processes

const children = new Set<ChildProcess>();
const LOGS: string[] = [];
/** Run after every server has stopped, on success, failure or a signal. */
const cleanups: (() => void | Promise<void>)[] = [];

function startProcess(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logDir: string) {
  const logPath = join(logDir, `${name}.log`);
  LOGS.push(logPath);
  const out = openSync(logPath, 'a');
  const child = spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', out, out] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return { child, logPath };
}

/** Stops a process group by its leader's PID: SIGTERM, then SIGKILL after 5 s. */
function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null || !child.pid) return done();
    const pid = child.pid;
    const kill = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      clearTimeout(kill);
      done();
    }
  });
}

async function stopAll() {
  await Promise.all([...children].map(stopProcess));
}

/** Runs a command to completion in its own process group; rejects with its output on failure. */
async function run(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, logDir: string) {
  const { child, logPath } = startProcess(name, command, args, env, logDir);
  const code = await new Promise<number | null>((done) => child.once('exit', (c) => done(c)));
  const output = readFileSync(logPath, 'utf8');
  if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${output.slice(-4000)}`);
  return output;
}

async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, logPath: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${url}: server exited with ${child.exitCode}:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
    }
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
}

// ---------------------------------------------------------------- statistics

interface Stats {
  median: number;
  min: number;
  max: number;
  samples: number[];
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2
        ? (sorted[mid] as number)
        : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] ?? Number.NaN, max: sorted[sorted.length - 1] ?? Number.NaN, samples };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** Rotates a list by `by`: round r starts with a different case, so no case always runs first or last. */
const rotate = <T>(list: readonly T[], by: number): T[] => list.map((_, i) => list[(i + by) % list.length] as T);

// ---------------------------------------------------------------- the servers

interface CaseSpec {
  path: string;
  headers: Record<string, string>;
  expect: { d1RoundTrips: number };
}

interface Target {
  path: HttpPath;
  worker: 'main' | 'peer';
  base: string;
}

async function caseSpecs(base: string): Promise<Record<string, CaseSpec>> {
  const res = await fetch(`${base}/__bench/cases`);
  const body = (await res.json()) as { cases: Record<string, CaseSpec>; error?: string };
  if (res.status !== 200) throw new Error(`${base}/__bench/cases: ${res.status} ${JSON.stringify(body)}`);
  return body.cases;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as T & { error?: string; stack?: string };
  if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.error ?? ''}\n${body.stack ?? ''}`);
  return body;
}

// ---------------------------------------------------------------- 1. inside the isolate

interface LoopResult {
  case: string;
  n: number;
  ms: number;
  usPerRequest: number;
  statuses: Record<string, number>;
  d1Statements: number;
  d1RoundTrips: number;
  d1StatementsPerRequest: number;
  d1RoundTripsPerRequest: number;
}

interface MixResult {
  name: string;
  n: number;
  ms: number;
  usPerRequest: number;
  usPerRequestAllChunks: number;
  chunks: number;
  statuses: Record<string, number>;
  d1StatementsPerRequest: number;
  d1RoundTripsPerRequest: number;
}

/** One sample of every case named: the Worker interleaves them chunk by chunk for `ms` (worker-support.ts runMix). */
async function isolateMix(base: string, cases: readonly string[], ms: number, micro = false): Promise<MixResult[]> {
  const query = `cases=${cases.map(encodeURIComponent).join(',')}&ms=${ms}&chunkMs=${OPTIONS.chunkMs}${micro ? '&micro=1' : ''}`;
  const { results } = await getJson<{ results: MixResult[] }>(`${base}/__bench/mix?${query}`);
  for (const r of results) {
    const ok = Object.keys(r.statuses).length === 0 || (r.statuses['200'] ?? 0) === r.n;
    if (!ok) throw new Error(`in-isolate ${r.name}: not every response was 200: ${JSON.stringify(r.statuses)}`);
  }
  return results;
}

async function isolateRun(base: string, name: string, n: number): Promise<LoopResult & { outsideUs: number }> {
  const t0 = performance.now();
  const result = await getJson<LoopResult>(`${base}/__bench/run?case=${encodeURIComponent(name)}&n=${n}`);
  const outsideMs = performance.now() - t0;
  const ok = result.statuses['200'] ?? 0;
  if (ok !== n) throw new Error(`in-isolate ${name}: not every response was 200: ${JSON.stringify(result.statuses)}`);
  return { ...result, outsideUs: (outsideMs * 1000) / n };
}

// ---------------------------------------------------------------- 2. over HTTP

interface HttpSample {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
}

async function load(base: string, spec: CaseSpec, seconds: number): Promise<HttpSample> {
  const latencies: number[] = [];
  let bad = 0;
  let firstBad = '';
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((done, reject) => {
    const instance = autocannon(
      {
        url: `${base}${spec.path}`,
        headers: spec.headers,
        connections: OPTIONS.connections,
        pipelining: 1,
        duration: seconds,
      },
      (error, res) => (error ? reject(error) : done(res)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      if (statusCode !== 200) {
        bad++;
        firstBad ||= String(statusCode);
      }
    });
  });
  const elapsed = (performance.now() - t0) / 1000;
  if (bad || result.errors || result.timeouts) {
    throw new Error(
      `${base}${spec.path}: ${bad} non-200 (first ${firstBad}), ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
  };
}

// ---------------------------------------------------------------- 3. sign-in

interface SignInSample {
  /** Server-side time of GET /auth/callback/google inside the isolate (Server-Timing app). */
  serverMs: number;
  /** Of which waiting on outbound fetches (the OIDC token endpoint, discovery when not cached). */
  outboundMs: number;
  /** The callback's round trip as the client saw it. */
  clientMs: number;
}

function serverTiming(res: Response, name: string): number {
  const header = res.headers.get('server-timing') ?? '';
  const match = new RegExp(`${name};dur=([0-9.]+)`).exec(header);
  return match ? Number(match[1]) : Number.NaN;
}

/** The browser's sign-in, step by step (as test/support/sign-in-flow.ts), against `base` on loopback. */
async function signIn(base: string, worker: 'main' | 'peer', sub: string): Promise<SignInSample> {
  const jar = new CookieJar();
  const send = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', jar.header());
    headers.set('user-agent', 'sitewide-bench');
    return fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
  };
  const csrf = await send('/auth/csrf');
  if (csrf.status !== 200) throw new Error(`${worker} sign-in: /auth/csrf answered ${csrf.status}`);
  jar.store(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };

  const hint = encodeURIComponent(JSON.stringify({ sub, email: `${sub}@example.test`, name: 'Bench Sign-in' }));
  const callbackUrl = worker === 'main' ? 'https://app.example.test/home' : `${API_ORIGIN}/bench/bare`;
  const start = await send(`/auth/signin/google?login_hint=${hint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfToken, callbackUrl }),
  });
  await start.arrayBuffer();
  if (start.status !== 302) throw new Error(`${worker} sign-in: POST /auth/signin/google answered ${start.status}`);
  jar.store(start);

  const authorize = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  await authorize.arrayBuffer();
  const back = new URL(authorize.headers.get('location') ?? '');
  if (authorize.status !== 302 || back.pathname !== '/auth/callback/google') {
    throw new Error(`${worker} sign-in: the OIDC server answered ${authorize.status} to ${back.href}`);
  }

  const t0 = performance.now();
  const callback = await send(back.pathname + back.search);
  await callback.arrayBuffer();
  const clientMs = performance.now() - t0;
  const location = callback.headers.get('location') ?? '';
  jar.store(callback);
  const sessionCookie = worker === 'main' ? '__Secure-sitewide.session' : '__Secure-authjs.session-token';
  if (callback.status !== 302 || !jar.has(sessionCookie) || location.includes('/auth/error')) {
    throw new Error(`${worker} sign-in: callback answered ${callback.status} → ${location}, no ${sessionCookie}`);
  }
  return { serverMs: serverTiming(callback, 'app'), outboundMs: serverTiming(callback, 'outbound'), clientMs };
}

// ---------------------------------------------------------------- 4. bundle

interface BundleFigures {
  file: string;
  rawBytes: number;
  gzipBytes: number;
  wranglerReported: string;
  packages: { source: string; bytes: number; share: number }[];
}

function bundleFigures(outdir: string, buildOutput: string): BundleFigures {
  const file = join(outdir, 'index.js');
  const code = readFileSync(file);
  const meta = JSON.parse(readFileSync(join(outdir, 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const bySource = new Map<string, number>();
  for (const [out, output] of Object.entries(meta.outputs)) {
    if (!out.endsWith('.js')) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const nm = input.lastIndexOf('node_modules/');
      let source = input.startsWith('src/') ? 'src (Sitewide)' : input;
      if (nm !== -1) {
        const parts = input.slice(nm + 'node_modules/'.length).split('/');
        source = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
      }
      bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
    }
  }
  const total = [...bySource.values()].reduce((a, b) => a + b, 0);
  return {
    file: 'index.js',
    rawBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    wranglerReported: /Total Upload:[^\n]*/.exec(buildOutput)?.[0] ?? '',
    packages: [...bySource.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([source, bytes]) => ({ source, bytes, share: bytes / total })),
  };
}

// ---------------------------------------------------------------- versions

function versions() {
  const requireHere = createRequire(join(ROOT, 'package.json'));
  const version = (from: NodeJS.Require, name: string) => {
    try {
      return (from(`${name}/package.json`) as { version: string }).version;
    } catch {
      try {
        let dir = dirname(from.resolve(name));
        for (let i = 0; i < 5; i++, dir = dirname(dir)) {
          try {
            const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
              name?: string;
              version: string;
            };
            if (pkg.name === name) return pkg.version;
          } catch {
            // keep looking
          }
        }
      } catch {
        // not installed
      }
      return 'unknown';
    }
  };
  const requireWrangler = createRequire(requireHere.resolve('wrangler/package.json'));
  const requireMiniflare = createRequire(requireWrangler.resolve('miniflare'));
  return {
    node: process.version,
    wrangler: version(requireHere, 'wrangler'),
    miniflare: version(requireWrangler, 'miniflare'),
    workerd: version(requireMiniflare, 'workerd'),
    hono: version(requireHere, 'hono'),
    jose: version(requireHere, 'jose'),
    '@auth/core': version(requireHere, '@auth/core'),
    '@hono/auth-js': version(requireHere, '@hono/auth-js'),
    'drizzle-orm': version(requireHere, 'drizzle-orm'),
    autocannon: version(requireHere, 'autocannon'),
  };
}

// ---------------------------------------------------------------- the run

async function main() {
  const started = Date.now();
  const loadStart = os.loadavg();
  // wrangler dev bundles into bench/.wrangler (git-ignored): removed afterwards unless it was there already.
  const dotWrangler = join(BENCH, '.wrangler');
  const dotWranglerExisted = existsSync(dotWrangler);
  const tmp = mkdtempSync(join(os.tmpdir(), 'sitewide-bench-'));
  const logs = join(tmp, 'logs');
  mkdirSync(logs);
  let finished = false;
  cleanups.push(() => {
    if (!dotWranglerExisted) rmSync(dotWrangler, { recursive: true, force: true });
    if (finished) return rmSync(tmp, { recursive: true, force: true });
    // Keep the server logs for the post-mortem; drop everything else (the generated secrets too).
    for (const entry of readdirSync(tmp))
      if (entry !== 'logs') rmSync(join(tmp, entry), { recursive: true, force: true });
    console.error(`server logs kept in ${logs}`);
  });
  const say = (message: string) =>
    console.log(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}`);
  const bin = dirname(process.execPath);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(ROOT, 'node_modules', '.bin')}:${bin}:${process.env.PATH ?? ''}`,
    CI: '1',
    WRANGLER_SEND_METRICS: 'false',
    X_LOCAL_OBSERVABILITY: 'false',
  };
  const wrangler = (name: string, args: string[]) =>
    run(name, process.execPath, [join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), ...args], env, logs);

  try {
    say(`machine: ${os.cpus().length} cores, load ${loadStart.map((l) => l.toFixed(2)).join(' ')}; temp dir ${tmp}`);
    if (loadStart[0] !== undefined && loadStart[0] > 0.5) {
      say('warning: the machine is not idle (1-minute load above 0.5): figures will be noisier and slower');
    }

    // Secrets for this run only; the OIDC server stands in for Google.
    const oidc = await startOidcServer({ port: await freePort() });
    cleanups.push(() => oidc.stop());
    const authSecret = generateAuthSecret();
    const signingKeys = JSON.stringify([await generateSigningJwk()]);
    const mainVars: Record<string, string> = {
      AUTH_URL: API_ORIGIN,
      APP_URL: 'https://app.example.test/',
      COOKIE_DOMAIN: 'example.test',
      ALLOWED_ORIGINS: 'https://app.example.test',
      AUTH_GOOGLE_ID: 'sitewide-bench',
      AUTH_GOOGLE_ISSUER: oidc.issuer,
      SESSION_TOKEN_TTL: '600',
      SESSION_MAX_AGE: '2592000',
      SESSION_ABSOLUTE_MAX_AGE: '7776000',
      ACCESS_TOKEN_TTL: '300',
    };
    const mainSecrets = {
      AUTH_SECRET: authSecret,
      AUTH_GOOGLE_SECRET: 'bench-secret',
      SESSION_SIGNING_KEYS: signingKeys,
    };
    const peerVars: Record<string, string> = {
      AUTH_URL: API_ORIGIN,
      AUTH_GOOGLE_ID: 'sitewide-bench',
      AUTH_GOOGLE_ISSUER: oidc.issuer,
    };
    const peerSecrets = { AUTH_SECRET: authSecret, AUTH_GOOGLE_SECRET: 'bench-secret' };
    const envFile = (name: string, secrets: Record<string, string>) => {
      const path = join(tmp, name);
      writeFileSync(
        path,
        `${Object.entries(secrets)
          .map(([k, v]) => `${k}='${v}'`)
          .join('\n')}\n`,
        { mode: 0o600 },
      );
      return path;
    };

    // Build: the two bench Workers (for the direct path) and the production bundle, in parallel.
    say('building the bench Workers and the production bundle; applying the D1 migrations');
    const build = join(tmp, 'build');
    const state = join(tmp, 'state');
    const [, , prodOutput] = await Promise.all([
      wrangler('build-main', [
        'deploy',
        '--dry-run',
        '--config',
        'bench/wrangler.toml',
        '--outdir',
        join(build, 'main'),
      ]),
      wrangler('build-peer', [
        'deploy',
        '--dry-run',
        '--config',
        'bench/peer.wrangler.toml',
        '--outdir',
        join(build, 'peer'),
      ]),
      // `npm run build`, into the temp dir (dist/ is left alone), plus esbuild's metafile.
      wrangler('build-production', [
        'deploy',
        '--dry-run',
        '--env',
        'production',
        '--outdir',
        join(build, 'prod'),
        '--minify',
        '--metafile',
        join(build, 'prod', 'meta.json'),
      ]),
      wrangler('migrate', [
        'd1',
        'migrations',
        'apply',
        'DB',
        '--local',
        '--persist-to',
        join(state, 'dev'),
        '--config',
        'bench/wrangler.toml',
      ]),
    ]);
    for (const copy of ['direct', 'profile', 'dev-main'])
      cpSync(join(state, 'dev'), join(state, copy), { recursive: true });
    const bundle = bundleFigures(join(build, 'prod'), prodOutput);

    // Start the four servers: each Worker under wrangler dev and under Miniflare (with a direct socket).
    say('starting wrangler dev (main, peer) and Miniflare servers (main, peer)');
    const ports = {
      devMain: 0,
      devPeer: 0,
      devMainInspector: 0,
      devPeerInspector: 0,
      directMain: 0,
      directPeer: 0,
      socketMain: 0,
      socketPeer: 0,
    };
    for (const key of Object.keys(ports) as (keyof typeof ports)[]) ports[key] = await freePort();
    const varArgs = (vars: Record<string, string>) => Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
    const wranglerDev = (name: string, config: string, port: number, inspector: number, vars: Record<string, string>) =>
      startProcess(
        name,
        process.execPath,
        [
          join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
          'dev',
          '--config',
          config,
          '--ip',
          '127.0.0.1',
          '--port',
          String(port),
          '--inspector-port',
          String(inspector),
          '--persist-to',
          join(state, name),
          '--env-file',
          envFile(`${name}.env`, name.includes('peer') ? peerSecrets : mainSecrets),
          '--show-interactive-dev-session=false',
          '--log-level',
          'warn',
          ...varArgs(vars),
        ],
        env,
        logs,
      );
    const miniflare = (name: string, config: DirectServerConfig) => {
      const path = join(tmp, `${name}.json`);
      writeFileSync(path, JSON.stringify(config), { mode: 0o600 });
      return startProcess(name, process.execPath, [join(BENCH, 'serve-direct.ts'), path], env, logs);
    };
    const directMainConfig = (
      port: number,
      persistTo: string,
      extra: { socketPort?: number; inspectorPort?: number },
    ): DirectServerConfig => ({
      scriptPath: join(build, 'main', 'worker.js'),
      port,
      ...extra,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { ...mainVars, ...mainSecrets },
      persistTo,
      d1DatabaseId: D1_DATABASE_ID,
      rateLimit: { name: 'AUTH_RATE_LIMIT', namespaceId: '1001', limit: 1_000_000, period: 60 },
    });
    const servers = {
      devMain: wranglerDev('dev-main', 'bench/wrangler.toml', ports.devMain, ports.devMainInspector, mainVars),
      devPeer: wranglerDev('dev-peer', 'bench/peer.wrangler.toml', ports.devPeer, ports.devPeerInspector, peerVars),
      directMain: miniflare(
        'direct-main',
        directMainConfig(ports.directMain, join(state, 'direct'), { socketPort: ports.socketMain }),
      ),
      directPeer: miniflare('direct-peer', {
        scriptPath: join(build, 'peer', 'peer-worker.js'),
        port: ports.directPeer,
        socketPort: ports.socketPeer,
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: { ...peerVars, ...peerSecrets },
      }),
    };
    const base = (port: number) => `http://127.0.0.1:${port}`;
    const targets: Record<HttpPath, Record<'main' | 'peer', Target>> = {
      'workerd-socket': {
        main: { path: 'workerd-socket', worker: 'main', base: base(ports.socketMain) },
        peer: { path: 'workerd-socket', worker: 'peer', base: base(ports.socketPeer) },
      },
      miniflare: {
        main: { path: 'miniflare', worker: 'main', base: base(ports.directMain) },
        peer: { path: 'miniflare', worker: 'peer', base: base(ports.directPeer) },
      },
      'wrangler-dev': {
        main: { path: 'wrangler-dev', worker: 'main', base: base(ports.devMain) },
        peer: { path: 'wrangler-dev', worker: 'peer', base: base(ports.devPeer) },
      },
    };
    await Promise.all([
      waitFor(`${targets['wrangler-dev'].main.base}/health`, servers.devMain.child, servers.devMain.logPath),
      waitFor(`${targets['wrangler-dev'].peer.base}/bench/bare`, servers.devPeer.child, servers.devPeer.logPath),
      waitFor(`${targets.miniflare.main.base}/health`, servers.directMain.child, servers.directMain.logPath),
      waitFor(`${targets.miniflare.peer.base}/bench/bare`, servers.directPeer.child, servers.directPeer.logPath),
    ]);
    await waitFor(
      `${targets['workerd-socket'].main.base}/health`,
      servers.directMain.child,
      servers.directMain.logPath,
    );
    await waitFor(
      `${targets['workerd-socket'].peer.base}/bench/bare`,
      servers.directPeer.child,
      servers.directPeer.logPath,
    );
    say('servers up');

    // In-isolate runs and sign-ins go to the Miniflare servers through their direct sockets.
    const direct = targets['workerd-socket'];
    const specsFor = async (path: HttpPath) => ({
      ...(await caseSpecs(targets[path].main.base)),
      ...(await caseSpecs(targets[path].peer.base)),
    });

    // Warm-up in the isolate, and a check of the timer: one batch of `bare` timed inside and from outside.
    const MAIN_ISOLATE = ISOLATE_CASES.filter((c) => !isPeer(c));
    const PEER_ISOLATE = ISOLATE_CASES.filter((c) => isPeer(c));
    await isolateMix(direct.main.base, MAIN_ISOLATE, 300);
    await isolateMix(direct.peer.base, PEER_ISOLATE, 300);
    await isolateMix(direct.main.base, MICRO_CASES, 300, true);
    const check = await isolateRun(direct.main.base, 'bare', 2_000);
    const timerCheck = { case: 'bare', n: 2_000, insideUs: check.usPerRequest, outsideUs: check.outsideUs };
    // HTTP warm-up (and a check that every case answers 200 on both paths).
    for (const path of HTTP_PATHS) {
      const specs = await specsFor(path);
      for (const name of httpCasesFor(path)) {
        const target = isPeer(name) ? targets[path].peer : targets[path].main;
        await load(target.base, specs[name] as CaseSpec, OPTIONS.httpWarmupSeconds);
      }
    }
    say(
      `warmed up; timer check: bare ${timerCheck.insideUs.toFixed(1)} µs inside, ${timerCheck.outsideUs.toFixed(1)} µs seen from outside`,
    );

    // The rounds.
    const isolate = Object.fromEntries(ISOLATE_CASES.map((c) => [c, [] as MixResult[]]));
    const micro = Object.fromEntries(
      [...MICRO_CASES, 'console-log-line (wrangler dev)'].map((c) => [c, [] as number[]]),
    );
    const http = Object.fromEntries(
      HTTP_PATHS.map((path) => [path, Object.fromEntries(HTTP_CASES.map((c) => [c, [] as HttpSample[]]))]),
    ) as Record<HttpPath, Record<HttpCase, HttpSample[]>>;
    /** Sign-in targets: the product and the peer on Miniflare, and the product under wrangler dev. */
    const signInTargets = {
      sitewide: direct.main,
      'peer-hono-authjs': direct.peer,
      'sitewide (wrangler dev)': targets['wrangler-dev'].main,
    };
    const signIns = Object.fromEntries(Object.keys(signInTargets).map((k) => [k, [] as SignInSample[]]));
    for (const t of Object.values(signInTargets)) await getJson(`${t.base}/__bench/outbound?reset=1`);
    let signInSeq = 0;

    for (let round = 0; round < OPTIONS.rounds; round++) {
      say(`round ${round + 1}/${OPTIONS.rounds}: in the isolate (${OPTIONS.isolatePasses} passes)`);
      for (let pass = 0; pass < OPTIONS.isolatePasses; pass++) {
        const turn = round * OPTIONS.isolatePasses + pass;
        for (const r of await isolateMix(direct.main.base, rotate(MAIN_ISOLATE, turn), OPTIONS.mainMixMs)) {
          isolate[r.name]?.push(r);
        }
        for (const r of await isolateMix(direct.peer.base, rotate(PEER_ISOLATE, turn), OPTIONS.peerMixMs)) {
          isolate[r.name]?.push(r);
        }
        for (const r of await isolateMix(direct.main.base, rotate(MICRO_CASES, turn), OPTIONS.microMixMs, true)) {
          micro[r.name]?.push(r.usPerRequest);
        }
      }
      // The same log line under wrangler dev, whose inspector receives every console call.
      const devLog = await getJson<{ usPerRequest: number }>(
        `${targets['wrangler-dev'].main.base}/__bench/micro?case=console-log-line&n=1000`,
      );
      micro['console-log-line (wrangler dev)']?.push(devLog.usPerRequest);

      for (const path of rotate(HTTP_PATHS, round)) {
        say(`round ${round + 1}/${OPTIONS.rounds}: HTTP via ${path}`);
        // Fresh tokens every round (they live SESSION_TOKEN_TTL).
        const specs = await specsFor(path);
        for (const name of rotate(httpCasesFor(path), round)) {
          const target = isPeer(name) ? targets[path].peer : targets[path].main;
          http[path][name].push(await load(target.base, specs[name] as CaseSpec, OPTIONS.httpSeconds));
        }
      }

      say(`round ${round + 1}/${OPTIONS.rounds}: sign-in`);
      for (let i = 0; i < OPTIONS.signInsPerRound; i++) {
        signInSeq++;
        signIns.sitewide?.push(await signIn(direct.main.base, 'main', `bench-signin-${signInSeq}`));
        signIns['peer-hono-authjs']?.push(await signIn(direct.peer.base, 'peer', `bench-signin-${signInSeq}`));
        if (i < Math.ceil(OPTIONS.signInsPerRound / 2)) {
          signIns['sitewide (wrangler dev)']?.push(
            await signIn(signInTargets['sitewide (wrangler dev)'].base, 'main', `bench-signin-dev-${signInSeq}`),
          );
        }
      }
    }

    const outbound: Record<string, { total: number; byUrl: Record<string, number> }> = {};
    for (const [name, t] of Object.entries(signInTargets)) outbound[name] = await getJson(`${t.base}/__bench/outbound`);

    // Stop the measured servers before profiling, so the profile runs on a quiet machine.
    await Promise.all(Object.values(servers).map((s) => stopProcess(s.child)));

    say('profiling the fresh-cookie path and the bare route (V8 CPU profile through the inspector)');
    const profilePort = await freePort();
    const inspectorPort = await freePort();
    const profiler = miniflare(
      'profile-main',
      directMainConfig(profilePort, join(state, 'profile'), { inspectorPort }),
    );
    await waitFor(`${base(profilePort)}/health`, profiler.child, profiler.logPath);
    const profileN = 4_000;
    const profiles: Record<string, ProfileSummary> = {};
    for (const name of ['bare', 'me-fresh'] as const) {
      await isolateRun(base(profilePort), name, 500);
      profiles[name] = await profileWorker(inspectorPort, join(build, 'main', 'worker.js.map'), async () => {
        await isolateRun(base(profilePort), name, profileN);
      });
    }
    await stopProcess(profiler.child);

    const results = summarise({
      started,
      loadStart,
      isolate,
      micro,
      http,
      signIns,
      outbound,
      bundle,
      timerCheck,
      profiles,
      profileN,
    });
    writeFileSync(join(BENCH, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(BENCH, 'RESULTS.md'), renderMarkdown(results));
    // The repository's formatter (Biome) owns the layout of both files: tables aligned, JSON wrapped.
    await run(
      'format',
      process.execPath,
      [
        join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'),
        'format',
        '--write',
        join(BENCH, 'RESULTS.md'),
        join(BENCH, 'results.json'),
      ],
      env,
      logs,
    ).catch((error: unknown) => say(`warning: biome could not format the results: ${String(error).slice(0, 300)}`));
    say(`done in ${results.meta.durationSeconds.toFixed(0)} s: bench/RESULTS.md, bench/results.json`);
    console.log(renderSummary(results));
    finished = true;
  } finally {
    await stopAll();
    await runCleanups();
  }
}

async function runCleanups() {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

// ---------------------------------------------------------------- summary and report

interface SummariseInput {
  started: number;
  loadStart: number[];
  isolate: Record<string, MixResult[]>;
  micro: Record<string, number[]>;
  http: Record<HttpPath, Record<HttpCase, HttpSample[]>>;
  signIns: Record<string, SignInSample[]>;
  outbound: Record<string, { total: number; byUrl: Record<string, number> }>;
  bundle: BundleFigures;
  timerCheck: { case: string; n: number; insideUs: number; outsideUs: number };
  profiles: Record<string, ProfileSummary>;
  profileN: number;
}

const TARGETS = {
  meFreshOverheadUs: 60,
  peerFactor: 6,
  httpRatio: 0.9,
  d1OnFresh: 0,
  bundleGzipKB: 80,
};

function summarise(input: SummariseInput) {
  const round = <T extends number>(x: T, digits = 1) => Number(x.toFixed(digits));
  const roundStats = (s: Stats, digits = 1): Stats => ({
    median: round(s.median, digits),
    min: round(s.min, digits),
    max: round(s.max, digits),
    samples: s.samples.map((x) => round(x, digits)),
  });
  const us = (name: string) => (input.isolate[name] ?? []).map((r) => r.usPerRequest);
  const paired = (name: string, baseline: string) => us(name).map((v, i) => v - (us(baseline)[i] ?? Number.NaN));

  const isolate = Object.fromEntries(
    ISOLATE_CASES.map((name) => {
      const baseline = isPeer(name) ? 'peer-bare' : 'bare';
      return [
        name,
        {
          usPerRequest: roundStats(stats(us(name))),
          usPerRequestAllChunks: roundStats(stats((input.isolate[name] ?? []).map((r) => r.usPerRequestAllChunks))),

          overBareUs: roundStats(stats(paired(name, 'bare'))),
          ...(isPeer(name) ? { overPeerBareUs: roundStats(stats(paired(name, baseline))) } : {}),
          requests: (input.isolate[name] ?? []).reduce((a, r) => a + r.n, 0),
          d1StatementsPerRequest: round(
            Math.max(...(input.isolate[name] ?? []).map((r) => r.d1StatementsPerRequest)),
            3,
          ),
          d1RoundTripsPerRequest: round(
            Math.max(...(input.isolate[name] ?? []).map((r) => r.d1RoundTripsPerRequest)),
            3,
          ),
        },
      ];
    }),
  );
  const micro = Object.fromEntries(
    Object.entries(input.micro).map(([name, samples]) => [name, { usPerCall: roundStats(stats(samples), 2) }]),
  );

  const httpPath = (path: HttpPath) => {
    const samples = input.http[path];
    const bareRps = samples.bare.map((s) => s.rps);
    return Object.fromEntries(
      httpCasesFor(path).map((name) => {
        const s = samples[name];
        return [
          name,
          {
            rps: roundStats(stats(s.map((x) => x.rps)), 0),
            p50Ms: roundStats(stats(s.map((x) => x.p50)), 2),
            p99Ms: roundStats(stats(s.map((x) => x.p99)), 2),
            ratioToBare: roundStats(stats(s.map((x, i) => x.rps / (bareRps[i] ?? Number.NaN))), 3),
            requests: s.reduce((a, x) => a + x.requests, 0),
          },
        ];
      }),
    );
  };
  const http = Object.fromEntries(HTTP_PATHS.map((path) => [path, httpPath(path)])) as Record<
    HttpPath,
    ReturnType<typeof httpPath>
  >;

  const signIn = Object.fromEntries(
    Object.entries(input.signIns).map(([name, samples]) => {
      const out = input.outbound[name] ?? { total: 0, byUrl: {} };
      const count = (suffix: string) =>
        Object.entries(out.byUrl)
          .filter(([url]) => url.endsWith(suffix))
          .reduce((a, [, n]) => a + n, 0);
      return [
        name,
        {
          signIns: samples.length,
          callbackServerMs: roundStats(stats(samples.map((s) => s.serverMs)), 2),
          callbackOutboundMs: roundStats(stats(samples.map((s) => s.outboundMs)), 2),
          callbackClientMs: roundStats(stats(samples.map((s) => s.clientMs)), 2),
          outbound: {
            total: out.total,
            discovery: count('/.well-known/openid-configuration'),
            token: count('/token'),
            jwks: count('/jwks'),
            userinfo: count('/userinfo'),
            perSignIn: round(out.total / Math.max(1, samples.length), 2),
            byUrl: out.byUrl,
          },
        },
      ];
    }),
  );

  const meFresh = isolate['me-fresh'];
  const peer = isolate['peer-hono-authjs'];
  const meOverhead = meFresh?.overBareUs.median ?? Number.NaN;
  const peerOverhead = peer?.overPeerBareUs?.median ?? Number.NaN;
  const gzipKB = input.bundle.gzipBytes / 1000;
  const targets = [
    {
      id: 'isolate-overhead',
      target: `me-fresh overhead over bare in the isolate ≤ ${TARGETS.meFreshOverheadUs} µs`,
      measured: `${meOverhead.toFixed(1)} µs`,
      met: meOverhead <= TARGETS.meFreshOverheadUs,
    },
    {
      id: 'peer-factor',
      target: `≥ ${TARGETS.peerFactor}× below @hono/auth-js (its overhead over its own bare route)`,
      measured: `${(peerOverhead / meOverhead).toFixed(1)}× (${peerOverhead.toFixed(1)} µs vs ${meOverhead.toFixed(1)} µs)`,
      met: peerOverhead / meOverhead >= TARGETS.peerFactor,
    },
    ...HTTP_PATHS.map((path) => {
      const ratio = http[path]['me-fresh']?.ratioToBare.median ?? Number.NaN;
      return {
        id: `http-${path}`,
        target: `me-fresh ≥ ${TARGETS.httpRatio}× bare over HTTP (${path})`,
        measured: `${ratio.toFixed(3)}×`,
        met: ratio >= TARGETS.httpRatio,
      };
    }),
    {
      id: 'd1-fresh',
      target: 'zero D1 queries on a fresh token (counted)',
      measured: `${isolate['me-fresh']?.d1RoundTripsPerRequest ?? '?'} round trips, ${isolate['me-fresh']?.d1StatementsPerRequest ?? '?'} statements per request`,
      met: isolate['me-fresh']?.d1RoundTripsPerRequest === 0 && isolate['me-fresh']?.d1StatementsPerRequest === 0,
    },
    {
      id: 'bundle',
      target: `production bundle ≤ ${TARGETS.bundleGzipKB} KB gzip`,
      measured: `${gzipKB.toFixed(1)} KB gzip (${(input.bundle.gzipBytes / 1024).toFixed(1)} KiB)`,
      met: gzipKB <= TARGETS.bundleGzipKB,
    },
  ];

  // The profile: self time per request by source, me-fresh minus bare = where the auth time goes.
  const perRequest = (summary: ProfileSummary | undefined) =>
    new Map((summary?.sources ?? []).map((s) => [s.source, (s.selfMs * 1000) / input.profileN]));
  const bareProfile = perRequest(input.profiles.bare);
  const meProfile = perRequest(input.profiles['me-fresh']);
  const profileDelta = [...new Set([...bareProfile.keys(), ...meProfile.keys()])]
    .filter((s) => s !== '(idle)')
    .map((source) => ({
      source,
      bareUs: round(bareProfile.get(source) ?? 0, 2),
      meFreshUs: round(meProfile.get(source) ?? 0, 2),
      deltaUs: round((meProfile.get(source) ?? 0) - (bareProfile.get(source) ?? 0), 2),
    }))
    .sort((a, b) => b.deltaUs - a.deltaUs);

  return {
    meta: {
      date: new Date().toISOString(),
      durationSeconds: (Date.now() - input.started) / 1000,
      machine: {
        cores: os.cpus().length,
        cpu: os.cpus()[0]?.model ?? 'unknown',
        memoryGiB: round(os.totalmem() / 2 ** 30, 1),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        loadAverageStart: input.loadStart.map((l) => round(l, 2)),
        loadAverageEnd: os.loadavg().map((l) => round(l, 2)),
      },
      versions: versions(),
      options: OPTIONS,
    },
    targets,
    timerCheck: {
      ...input.timerCheck,
      insideUs: Number(input.timerCheck.insideUs.toFixed(1)),
      outsideUs: Number(input.timerCheck.outsideUs.toFixed(1)),
    },
    isolate,
    micro,
    http,
    signIn,
    bundle: {
      ...input.bundle,
      packages: input.bundle.packages.slice(0, 12).map((p) => ({ ...p, share: round(p.share, 3) })),
    },
    profile: {
      requestsProfiled: input.profileN,
      note: 'V8 sampling profile (100 µs interval) of one in-isolate batch per case, on a separate Miniflare server with the inspector attached; self time per request by source. The profiler inflates everything, and with an inspector attached every console call is sent to it (as under wrangler dev), so the request log line (`log`) weighs far more here than without one; the difference between the two cases is what to read',
      deltaBySource: profileDelta.slice(0, 12),
      topFunctions: Object.fromEntries(
        Object.entries(input.profiles).map(([name, summary]) => [
          name,
          summary.functions
            .filter((f) => f.name !== '(idle)')
            .slice(0, 15)
            .map((f) => ({
              name: f.name,
              source: f.source,
              usPerRequest: round((f.selfMs * 1000) / input.profileN, 2),
            })),
        ]),
      ),
    },
  };
}

type Results = ReturnType<typeof summarise>;

const fmt = (s: Stats | undefined, digits = 1, unit = '') =>
  s ? `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})` : '–';

function renderSummary(r: Results): string {
  const lines = ['', 'Targets:'];
  for (const t of r.targets) lines.push(`  ${t.met ? 'met ' : 'MISS'}  ${t.target}: ${t.measured}`);
  lines.push('', 'In the isolate (µs per request, median (min–max); overhead over bare):');
  for (const [name, c] of Object.entries(r.isolate)) {
    lines.push(`  ${name.padEnd(18)} ${fmt(c.usPerRequest).padEnd(26)} +${fmt(c.overBareUs)}`);
  }
  for (const path of HTTP_PATHS) {
    lines.push('', `HTTP via ${path} (req/s, ratio to bare, p50/p99 ms):`);
    for (const [name, c] of Object.entries(r.http[path])) {
      lines.push(
        `  ${name.padEnd(18)} ${fmt(c.rps, 0).padEnd(22)} ${c.ratioToBare.median.toFixed(3)}×  ${c.p50Ms.median.toFixed(2)}/${c.p99Ms.median.toFixed(2)}`,
      );
    }
  }
  return lines.join('\n');
}

function renderMarkdown(r: Results): string {
  const m = r.meta;
  const v = m.versions;
  const out: string[] = [];
  const p = (line = '') => out.push(line);
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

  p('# Benchmarks: the cost of authentication');
  p();
  p(
    `Generated by \`npm run bench\` (bench/run.ts) on ${m.date.slice(0, 16).replace('T', ' ')} UTC in ${m.durationSeconds.toFixed(0)} s. All figures below come from this one run: ${m.options.rounds} rounds, each running every part in turn (in the isolate ${m.options.isolatePasses} passes per round, so ${m.options.rounds * m.options.isolatePasses} samples per case; over HTTP one sample per case per path per round), cases interleaved round-robin (each pass starts one case further), medians with (min–max) over the samples. Raw figures: [results.json](results.json).`,
  );
  p();
  p(
    `Machine: ${m.machine.cores} cores (${m.machine.cpu}), ${m.machine.memoryGiB} GiB, ${m.machine.os}; load average ${m.machine.loadAverageStart.join(' / ')} at the start, ${m.machine.loadAverageEnd.join(' / ')} at the end.`,
  );
  p(
    `Versions: Node ${v.node}, wrangler ${v.wrangler}, miniflare ${v.miniflare}, workerd ${v.workerd}, hono ${v.hono}, jose ${v.jose}, @auth/core ${v['@auth/core']}, @hono/auth-js ${v['@hono/auth-js']}, drizzle-orm ${v['drizzle-orm']}, autocannon ${v.autocannon}.`,
  );
  p();
  p('## Targets');
  p();
  p('| target | measured | |');
  p('| --- | --- | --- |');
  for (const t of r.targets) p(`| ${t.target} | ${t.measured} | ${t.met ? 'met' : '**missed**'} |`);
  p();

  p('## 1. Inside the isolate (the primary figure)');
  p();
  p(
    `A bench route in the bench Worker (bench/worker.ts, built with \`wrangler deploy --dry-run\` and served by Miniflare) builds each case's request once and calls \`app.fetch(request, env, ctx)\` with it over and over, reading every body. The cases are interleaved inside the isolate chunk by chunk (about ${m.options.chunkMs} ms of one case, then the next, for ${m.options.mainMixMs} ms per sample; bench/worker-support.ts \`runMix\`), so whatever else the machine does lands on every case alike and the overheads are paired within a sample. Chunks are timed with \`performance.now()\`, which advances in 1 ms steps inside workerd; a sample's figure is the mean over the middle 60% of its chunks (ranked by µs per request), which drops chunks stalled by the rest of the machine or a GC pause while the timer's rounding still averages out (the plain mean over all chunks is in results.json); as a check, one plain batch of ${r.timerCheck.n} \`bare\` requests measured ${r.timerCheck.insideUs.toFixed(1)} µs per request inside and ${r.timerCheck.outsideUs.toFixed(1)} µs seen from outside (which adds one HTTP round trip). The app is the product’s \`createApp()\` from src/, unchanged, with the bench routes added: \`bare\` is \`GET /bench/bare\` (the app’s global middleware: security headers, config, CORS, request log; no auth), the others are behind the product’s \`requireSession()\` and \`csrfGuard()\`. Every request carries the session cookie, \`bare\` included, as a browser’s would. D1 is counted through a Proxy on \`env.DB\`.`,
  );
  p();
  p(
    '| case | what | µs per request | overhead over `bare` | D1 round trips / statements per request | requests timed |',
  );
  p('| --- | --- | --- | --- | --- | --- |');
  const what: Record<string, string> = {
    floor: 'a bare `new Hono()` with only the route (no app middleware)',
    bare: 'unprotected route, same app, same JSON',
    'me-fresh':
      'protected route, fresh cookie, no D1 (the ES256 check runs once per token per isolate: verified-token cache)',
    'me-fresh-db': 'the product’s `GET /api/me`: fresh cookie, then the handler reads the user row',
    refresh: 'expired token: verify + one D1 round trip (batch) + re-sign + Set-Cookie',
    bearer: '`Authorization: Bearer` access token (ES256)',
    'peer-bare': 'peer Worker: unprotected route (initAuthConfig runs on every route, as documented)',
    'peer-hono-authjs': 'peer Worker: same route behind `verifyAuth()`, Auth.js default JWE cookie',
    'me-fresh-cached':
      'the bench prototype of the verified-token cache the product now has (bench/cached-session.ts), for comparison',
  };
  for (const [name, c] of Object.entries(r.isolate)) {
    const over =
      name === 'bare'
        ? '–'
        : `${fmt(c.overBareUs)} µs${name !== 'peer-bare' && 'overPeerBareUs' in c && c.overPeerBareUs ? `; over peer-bare ${fmt(c.overPeerBareUs)} µs` : ''}`;
    p(
      `| \`${name}\` | ${what[name] ?? ''} | ${fmt(c.usPerRequest)} | ${over} | ${c.d1RoundTripsPerRequest} / ${c.d1StatementsPerRequest} | ${c.requests} |`,
    );
  }
  p();
  p('### The parts on their own (same isolate, same token)');
  p();
  p('| operation | µs per call |');
  p('| --- | --- |');
  const microWhat: Record<string, string> = {
    'verify-es256-webcrypto':
      'one Web Crypto ECDSA P-256 verify of the session token (the floor of any ES256 verifier)',
    'verify-jose':
      '`verifySessionToken` on a token not yet verified in the isolate (jose `jwtVerify`, every option pinned): the first request with a token costs this more',
    'sign-jose': '`signSessionToken` (what a refresh adds besides D1)',
    'verify-ed25519-webcrypto': 'Ed25519 verify of the same signing input (alternative algorithm)',
    'verify-hs256-webcrypto': 'HMAC-SHA256 verify of the same signing input (symmetric: no public verification)',
    'verified-token-cache-hit': 'a per-isolate Map of verified tokens (token → claims, exp checked): a hit',
    'console-log-line': 'one `console.log` of a JSON request line like the app’s request log (locally: a pipe write)',
    'console-log-line (wrangler dev)':
      'the same line under `wrangler dev`, whose inspector receives every console call',
  };
  for (const [name, c] of Object.entries(r.micro))
    p(`| \`${name}\` — ${microWhat[name] ?? ''} | ${fmt(c.usPerCall, 2)} |`);
  p();

  p('## 2. Over HTTP (autocannon on loopback)');
  p();
  p(
    `autocannon, ${m.options.connections} connections, ${m.options.httpSeconds} s per case per round (after a ${m.options.httpWarmupSeconds} s warm-up per case), every response checked to be 200. p50/p99 are computed from every response's latency. Ratios are paired per round against \`bare\` on the same path. Three paths into the same workerd build:`,
  );
  p();
  p(
    '- **workerd-socket**: a workerd socket bound straight to the Worker (Miniflare’s `unsafeDirectSockets`), serving the `wrangler deploy --dry-run` bundle: what `workerd serve` on the bundle does. No entry Worker, no dev proxy, no request tracing; the Worker’s console lines are dropped by the Miniflare host.',
  );
  p(
    '- **miniflare**: the same server and isolate through Miniflare’s own HTTP socket, which routes every request through its entry Worker first.',
  );
  p(
    '- **wrangler-dev**: `wrangler dev --log-level warn` with `X_LOCAL_OBSERVABILITY=false`, built from source by wrangler, through its dev proxy.',
  );
  p();
  for (const path of HTTP_PATHS) {
    p(`### ${path}`);
    p();
    p('| case | requests/s | ratio to `bare` | p50 ms | p99 ms |');
    p('| --- | --- | --- | --- | --- |');
    for (const [name, c] of Object.entries(r.http[path])) {
      p(`| \`${name}\` | ${fmt(c.rps, 0)} | ${fmt(c.ratioToBare, 3)} | ${fmt(c.p50Ms, 2)} | ${fmt(c.p99Ms, 2)} |`);
    }
    p();
  }

  p('## 3. Sign-in');
  p();
  p(
    'The whole browser flow against the loopback OIDC server (scripts/oidc-server.ts): `GET /auth/csrf`, `POST /auth/signin/google`, the provider’s authorize endpoint, `GET /auth/callback/google`. Server time is measured inside the isolate around the callback (`Server-Timing`), with the part spent waiting on outbound fetches; outbound requests are counted by wrapping the Worker’s `fetch` for the whole run (one isolate per server). Inside workerd `performance.now()` advances in 1 ms steps, so the server times are ±1 ms.',
  );
  p();
  p(
    '| Worker, path | sign-ins | callback server ms | of which outbound ms | callback round trip ms | outbound requests (discovery / token / jwks / userinfo) | per sign-in |',
  );
  p('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, s] of Object.entries(r.signIn)) {
    const o = s.outbound;
    p(
      `| ${name} | ${s.signIns} | ${fmt(s.callbackServerMs, 2)} | ${fmt(s.callbackOutboundMs, 2)} | ${fmt(s.callbackClientMs, 2)} | ${o.total} (${o.discovery} / ${o.token} / ${o.jwks} / ${o.userinfo}) | ${o.perSignIn} |`,
    );
  }
  p();
  const site = r.signIn.sitewide;
  const peerSignIn = r.signIn['peer-hono-authjs'];
  if (site && peerSignIn) {
    const own = (x: typeof site) => x.callbackServerMs.median - x.callbackOutboundMs.median;
    p(
      `The OIDC discovery document is fetched ${site.outbound.discovery} time(s) for ${site.signIns} sign-ins (once per isolate, src/auth/discovery-cache.ts), against ${peerSignIn.outbound.discovery} for ${peerSignIn.signIns} with Auth.js's defaults (twice per sign-in: at \`POST /auth/signin/google\` and again at the callback). The callback's own time (server time less outbound) is about ${own(site).toFixed(1)} ms for Sitewide against ${own(peerSignIn).toFixed(1)} ms for the peer: Sitewide records the sign-in in D1 (user, account, session and audit rows in one batch) and signs an ES256 token, where the peer keeps no database and encrypts a JWE. The peer's outbound time includes its second discovery fetch in every callback.`,
    );
    p();
  }

  p('## 4. Production bundle');
  p();
  p(
    `\`wrangler deploy --dry-run --env production --minify\` (the flags of \`npm run build\`, into a temp dir): **${kb(r.bundle.rawBytes)} minified, ${kb(r.bundle.gzipBytes)} gzip** (gzip -9; ${(r.bundle.gzipBytes / 1024).toFixed(1)} KiB). wrangler says: \`${r.bundle.wranglerReported}\`.`,
  );
  p();
  p('Largest contributors (minified bytes in the bundle, from esbuild’s metafile):');
  p();
  p('| source | minified | share |');
  p('| --- | --- | --- |');
  for (const pkg of r.bundle.packages) p(`| ${pkg.source} | ${kb(pkg.bytes)} | ${(pkg.share * 100).toFixed(1)}% |`);
  p();

  p('## Profile: where the fresh-cookie time goes');
  p();
  p(
    `${r.profile.note}. ${r.profile.requestsProfiled} requests per case. \`(native)\` is time in workerd’s C++ (Web Crypto, Headers, Response), \`(program)\` is V8/runtime outside JS.`,
  );
  p();
  p('| source | bare µs/request | me-fresh µs/request | difference |');
  p('| --- | --- | --- | --- |');
  for (const d of r.profile.deltaBySource) p(`| ${d.source} | ${d.bareUs} | ${d.meFreshUs} | ${d.deltaUs} |`);
  p();
  for (const [name, functions] of Object.entries(r.profile.topFunctions)) {
    p(`Top functions of \`${name}\` by self time:`);
    p();
    p('| function | source | µs/request |');
    p('| --- | --- | --- |');
    for (const f of functions) p(`| \`${f.name}\` | ${f.source} | ${f.usPerRequest} |`);
    p();
  }

  p('## Where we miss, and what limits us');
  p();
  for (const line of analysis(r)) p(line);
  p();
  p('## Running it');
  p();
  p(
    `\`npm run bench\` (${m.durationSeconds.toFixed(0)} s for this run). Knobs: \`BENCH_ROUNDS\` (3), \`BENCH_HTTP_SECONDS\` (2), \`BENCH_CONNECTIONS\` (10), \`BENCH_ISOLATE_MS\` (2000: one in-isolate sample of the product's cases), \`BENCH_SIGNINS\` (4 per round). It generates fresh secrets, builds into a temp dir, starts the OIDC server, two \`wrangler dev\` and three Miniflare servers on 127.0.0.1 (each its own process group, stopped by PID also on failure or Ctrl-C), and rewrites this file and results.json. Figures from a busy machine are slower and noisier: the load average is printed above.`,
  );
  return `${out.join('\n')}\n`;
}

/** Plain statements from the measured figures: what misses, what limits it, what would close it. */
function analysis(r: Results): string[] {
  const lines: string[] = [];
  const iso = r.isolate;
  const micro = (name: string) => r.micro[name]?.usPerCall.median ?? Number.NaN;
  const target = (id: string) => r.targets.find((t) => t.id === id);
  const me = iso['me-fresh']?.overBareUs.median ?? Number.NaN;
  const bare = iso.bare?.usPerRequest.median ?? Number.NaN;
  const floor = iso.floor?.usPerRequest.median ?? Number.NaN;
  const es256 = micro('verify-es256-webcrypto');
  const jose = micro('verify-jose');
  const hit = micro('verified-token-cache-hit');
  const logLine = micro('console-log-line');
  const topDelta = r.profile.deltaBySource[0];
  const cachedOver = iso['me-fresh-cached']?.overBareUs.median ?? Number.NaN;

  const overhead = target('isolate-overhead');
  if (overhead && !overhead.met) {
    lines.push(
      `- **In-isolate overhead: ${me.toFixed(1)} µs against 60 µs.** What limits it is the ES256 signature verification on every request. The prototype below keeps everything else of the protected path (its own middleware layer, cookie parsing, \`c.set\`, \`csrfGuard\`) and skips the verify: it measures ${cachedOver.toFixed(1)} µs over bare, so about ${(me - cachedOver).toFixed(0)} µs of the ${me.toFixed(0)} µs is the verification as it runs inside a request. On its own, Web Crypto's ECDSA P-256 verify costs ${es256.toFixed(1)} µs on this CPU and jose's \`jwtVerify\` with every option pinned ${jose.toFixed(1)} µs in a tight loop (${(jose - es256).toFixed(1)} µs of base64url, JSON and claim checks around the verify); inside a request, interleaved with the rest, it costs more. The profile agrees: the largest item of the difference between the two cases is ${topDelta ? `${topDelta.source} (${topDelta.deltaUs.toFixed(0)} µs per request under the profiler, in jose's \`verifySignature\`, whose self time includes the native verify)` : 'the verification'}. The target is below the price of the verification itself, so no tuning of the middleware reaches it while every request verifies a signature; Ed25519 (${micro('verify-ed25519-webcrypto').toFixed(1)} µs here) does not change that, and HMAC (${micro('verify-hs256-webcrypto').toFixed(1)} µs) would give up verification with public keys by other backends.`,
    );
    const cached = cachedOver;
    const cachedHttp = r.http['workerd-socket']['me-fresh-cached']?.ratioToBare.median ?? Number.NaN;
    lines.push(
      `- **What would close it, measured:** a per-isolate cache of verified tokens in \`requireSession\` (token string → claims; bounded; an entry is used only while \`exp\` is in the future and only with the key set that verified it; bench/cached-session.ts is the prototype). A hit is a Map lookup (${hit.toFixed(2)} µs on its own), and the prototype route \`me-fresh-cached\` (same app, same JSON, same \`csrfGuard\`) measures **${cached.toFixed(1)} µs over bare** in the isolate and ${cachedHttp.toFixed(3)}× bare over HTTP on the workerd socket, for every request after a session's first in an isolate. ${cached <= 60 ? 'That meets the 60 µs target.' : 'That is still above 60 µs: what is left is the middleware plumbing, not crypto.'} It changes no security property: the token's \`exp\` still bounds revocation (a cached entry is never used past it), and a forged token never enters the cache because entries are added only after a successful verify.`,
    );
  } else if (overhead) {
    lines.push(`- In-isolate overhead of me-fresh: ${me.toFixed(1)} µs, within the 60 µs target.`);
  }
  const factor = target('peer-factor');
  const peerOver = iso['peer-hono-authjs']?.overPeerBareUs?.median ?? Number.NaN;
  if (factor && !factor.met) {
    lines.push(
      `- **Versus @hono/auth-js: ${factor.measured}.** The peer's cost is Auth.js's own (a full \`Auth()\` session request per call: JWE decrypt, re-encrypt and Set-Cookie); with the cache prototype the factor would be ${(peerOver / (iso['me-fresh-cached']?.overBareUs.median ?? Number.NaN)).toFixed(0)}×.`,
    );
  }
  const http = HTTP_PATHS.map((path) => ({ path, t: target(`http-${path}`) })).filter((x) => x.t && !x.t.met);
  if (http.length) {
    const parts = http.map(({ path }) => {
      const c = r.http[path];
      return `${path} ${c['me-fresh']?.ratioToBare.median.toFixed(3)}× (bare ${c.bare?.rps.median.toFixed(0)} req/s, ${(1e6 / (c.bare?.rps.median ?? 1)).toFixed(0)} µs per request at saturation)`;
    });
    lines.push(
      `- **Over HTTP, me-fresh against bare: ${parts.join('; ')}.** The isolate runs one request's JavaScript at a time, so at saturation requests/s is about the inverse of the per-request cost along the path, and the ratio is about (cost of bare) / (cost of bare + ${me.toFixed(0)} µs of auth). Reaching 0.90× needs the auth to be at most a ninth of the bare request's cost on that path; the verified-token cache prototype measures ${(r.http['workerd-socket']['me-fresh-cached']?.ratioToBare.median ?? Number.NaN).toFixed(3)}× on the workerd socket. On the miniflare and wrangler-dev paths, Miniflare's entry Worker and the dev proxy add the same cost to both cases, which dilutes the auth's share there; the workerd socket is the strictest path.`,
    );
  }
  if (!Number.isNaN(floor) && !Number.isNaN(bare)) {
    lines.push(
      `- **The bare route itself.** The product's global middleware (everything \`createApp()\` runs on every route; the profile of \`bare\` above shows where: the request log line, Response and header work, Hono's dispatch) costs ${(bare - floor).toFixed(0)} µs per request over a bare \`new Hono()\` route (${floor.toFixed(1)} µs), more than the auth does. One \`console.log\` of a request line costs ${logLine.toFixed(1)} µs in workerd here (locally it is written to a pipe; Workers Logs in production has its own cost). Every HTTP ratio above is measured against this heavier bare route.`,
    );
  }
  const d1 = target('d1-fresh');
  if (d1 && !d1.met) lines.push(`- **D1 on a fresh token: ${d1.measured}.** The fresh path must not touch D1.`);
  const bundle = target('bundle');
  if (bundle && !bundle.met) {
    const top = r.bundle.packages
      .slice(0, 6)
      .map((p) => `${p.source} ${(p.bytes / 1000).toFixed(0)} KB`)
      .join(', ');
    lines.push(
      `- **Bundle: ${bundle.measured} against 80 KB.** The largest contributors (minified): ${top}. tldts carries the whole Public Suffix List to check COOKIE_DOMAIN once per isolate; Auth.js core with oauth4webapi serves only /auth/*; drizzle-orm builds two queries (\`findUserById\`, \`listActiveSessions\`) while every other statement is already raw D1 SQL. What would close it: check the public suffix at deploy time (e.g. in \`npm run doctor\`/the build) or against a short embedded list instead of shipping the list, and write those two queries as raw D1 statements too; Auth.js core (needed for the Google flow) then dominates what remains.`,
    );
  }
  if (lines.length === 0) lines.push('Every target is met in this run.');
  return lines;
}

const onSignal = (signal: NodeJS.Signals) => {
  console.error(`\n${signal}: stopping every server`);
  void stopAll()
    .then(runCleanups)
    .then(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  await main();
} catch (error) {
  process.exitCode = 1;
  console.error(error);
  await stopAll();
}
