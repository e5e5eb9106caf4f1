/**
 * Last, the profile: where the fresh-cookie time goes. A V8 CPU profile of the main bench Worker
 * inside workerd, on a Miniflare server of its own with the DevTools inspector open
 * (bench/serve-direct.ts with `inspectorPort`), of one batch of `bare` and one of `me-fresh`,
 * summarised by self time per function and per source (package), mapped through the bundle's
 * source map.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { isolateRun } from './phase-isolate.ts';
import type { BenchRun } from './processes.ts';
import { type BuiltWorkers, mainBundleMap, startProfilingServer } from './servers.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  totalMs: number;
  samples: number;
  /** Self time per function, largest first. */
  functions: { name: string; source: string; selfMs: number; share: number }[];
  /** Self time per source: a package under node_modules, a file under src/, or a V8/runtime bucket. */
  sources: { source: string; selfMs: number; share: number }[];
}

/** Talks the DevTools protocol over one WebSocket. */
async function connect(url: string) {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`inspector: cannot connect to ${url}`)), { once: true });
  });
  let nextId = 1;
  const pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message);
  });
  const send = <T>(method: string, params: Record<string, unknown> = {}): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (message) => {
        pending.delete(id);
        if (message.error) reject(new Error(`${method}: ${JSON.stringify(message.error)}`));
        else resolve(message.result as T);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** Which package or file a bundled position comes from. */
function sourceOf(path: string | undefined): string {
  if (!path) return '(unmapped)';
  const nm = path.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const src = path.indexOf('src/');
  if (src !== -1) return path.slice(src);
  const bench = path.indexOf('bench/');
  if (bench !== -1) return path.slice(bench);
  return path;
}

/**
 * Starts the profiler on the Worker's isolate, runs `work` (which drives requests into it),
 * stops, and summarises. `bundleMap` is the bundle's `.js.map` (wrangler writes one beside it).
 */
async function profileWorker(
  inspectorPort: number,
  bundleMap: string,
  work: () => Promise<void>,
): Promise<ProfileSummary> {
  const list = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as {
    id: string;
    webSocketDebuggerUrl: string;
  }[];
  const target = list.find((t) => t.id.startsWith('core:user:'));
  if (!target) throw new Error('inspector: no user worker');
  const session = await connect(target.webSocketDebuggerUrl);
  let profile: CpuProfile;
  try {
    await session.send('Profiler.enable');
    await session.send('Profiler.setSamplingInterval', { interval: 100 });
    await session.send('Profiler.start');
    await work();
    ({ profile } = await session.send<{ profile: CpuProfile }>('Profiler.stop'));
    await session.send('Profiler.disable');
  } finally {
    session.close();
  }

  const map = new SourceMap(JSON.parse(readFileSync(bundleMap, 'utf8')));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, { name: string; source: string; us: number }>();
  const bySource = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    if (!node) continue;
    total += us;
    const { functionName, url, lineNumber, columnNumber } = node.callFrame;
    let source: string;
    let name = functionName || '(anonymous)';
    if (!url) {
      // V8's own buckets: (program), (garbage collector), (idle), native code.
      source = functionName.startsWith('(') ? functionName : '(native)';
    } else {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string; name?: string };
      source = sourceOf(entry.originalSource);
      if (!functionName && entry.name) name = entry.name;
    }
    const key = `${name}@${source}`;
    const f = byFunction.get(key) ?? { name, source, us: 0 };
    f.us += us;
    byFunction.set(key, f);
    bySource.set(source, (bySource.get(source) ?? 0) + us);
  }
  const share = (us: number) => (total ? us / total : 0);
  return {
    totalMs: total / 1000,
    samples: profile.samples.length,
    functions: [...byFunction.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 25)
      .map((f) => ({ name: f.name, source: f.source, selfMs: f.us / 1000, share: share(f.us) })),
    sources: [...bySource.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([source, us]) => ({ source, selfMs: us / 1000, share: share(us) })),
  };
}

/** Requests per profiled batch. */
export const PROFILED_REQUESTS = 4_000;
export const PROFILED_CASES = ['bare', 'me-fresh'] as const;

/** Profiles one batch of each of PROFILED_CASES (after 500 requests to warm up), on a quiet machine. */
export async function profilePhase(run: BenchRun, built: BuiltWorkers) {
  const server = await startProfilingServer(run, built);
  const profiles: Partial<Record<(typeof PROFILED_CASES)[number], ProfileSummary>> = {};
  try {
    for (const name of PROFILED_CASES) {
      await isolateRun(server.base, name, 500);
      profiles[name] = await profileWorker(server.inspectorPort, mainBundleMap(built), async () => {
        await isolateRun(server.base, name, PROFILED_REQUESTS);
      });
    }
  } finally {
    await server.stop();
  }
  return profiles;
}
