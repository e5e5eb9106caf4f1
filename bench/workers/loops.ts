/**
 * The in-isolate loops of the bench Workers, inside workerd: one operation n times in a row
 * (`runBatch`: a case's request through its handler, or a part on its own), and several
 * interleaved chunk by chunk (`runMix`: the figures of the report).
 */
import type { BatchResult, MixResult } from '../cases';
import { type D1Tally, meteredD1, newTally } from './d1-meter';

export type Handler = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** What one case sends: built once, then passed to its handler over and over (a pool: in turn). */
export interface BenchRequest {
  requests: readonly Request[];
  handler: Handler;
  env: Env;
}

/** One entry of a mix or a batch: an operation that answers a status (requests) or nothing (parts). */
export interface BenchOp {
  name: string;
  op: () => Promise<number | undefined>;
  /** D1 traffic this entry caused (request cases on a Worker with D1). */
  tally?: D1Tally;
}

/** A case's request (or its pool's in turn) sent to its handler with D1 tallied, its body read. */
export function requestOp(name: string, bench: BenchRequest, ctx: ExecutionContext): BenchOp {
  if (bench.requests.length === 0) throw new Error(`case '${name}' without a request`);
  const tally = newTally();
  const env = bench.env.DB ? { ...bench.env, DB: meteredD1(bench.env.DB, tally) } : bench.env;
  let i = 0;
  return {
    name,
    tally,
    op: async () => {
      const res = await bench.handler(bench.requests[i++ % bench.requests.length] as Request, env, ctx);
      await res.arrayBuffer();
      return res.status;
    },
  };
}

/** `op` n times in a row (after a warm-up), timed with performance.now() around the whole loop. */
export async function runBatch({ name, op }: BenchOp, n: number): Promise<BatchResult> {
  for (let i = 0; i < Math.min(200, n); i++) await op();
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const status = await op();
    if (status !== undefined) statuses[status] = (statuses[status] ?? 0) + 1;
  }
  const ms = performance.now() - t0;
  return { name, n, ms, usPerRequest: (ms * 1000) / n, statuses };
}

interface Chunk {
  n: number;
  ms: number;
}

/**
 * The entries interleaved finely: each runs in chunks of about `chunkMs`, one chunk of each in
 * turn (every other cycle in reverse), until `budgetMs` has passed (at least `minCycles`), so
 * whatever else the machine does lands on every entry alike. performance.now() advances in 1 ms
 * steps in workerd: the rounding averages out over the chunks (each starts at a random phase).
 */
export async function runMix(
  entries: BenchOp[],
  options: { budgetMs: number; chunkMs: number; minCycles: number },
): Promise<MixResult[]> {
  // Calibrate the chunk sizes (and warm up): time a few operations of each entry.
  const sizes = new Map<string, number>();
  for (const { name, op } of entries) {
    let n = 0;
    const t0 = performance.now();
    while (n < 5 || (performance.now() - t0 < 20 && n < 5_000)) {
      await op();
      n++;
    }
    sizes.set(name, Math.max(1, Math.round(options.chunkMs / Math.max((performance.now() - t0) / n, 0.0005))));
  }
  const chunks = new Map(entries.map((e) => [e.name, [] as Chunk[]]));
  const statuses = new Map(entries.map((e) => [e.name, {} as Record<string, number>]));
  for (const e of entries) if (e.tally) Object.assign(e.tally, newTally());
  const started = performance.now();
  for (let cycle = 0; cycle < options.minCycles || performance.now() - started < options.budgetMs; cycle++) {
    for (const { name, op } of cycle % 2 ? [...entries].reverse() : entries) {
      const size = sizes.get(name) ?? 1;
      const counts = statuses.get(name) ?? {};
      const t0 = performance.now();
      for (let i = 0; i < size; i++) {
        const status = await op();
        if (status !== undefined) counts[status] = (counts[status] ?? 0) + 1;
      }
      chunks.get(name)?.push({ n: size, ms: performance.now() - t0 });
    }
  }
  const sum = (list: Chunk[], key: keyof Chunk) => list.reduce((a, c) => a + c[key], 0);
  return entries.map(({ name, tally }) => {
    const all = chunks.get(name) ?? [];
    // The mean over the middle 60% of the chunks, ranked by µs per operation: stalled chunks drop out.
    const ranked = [...all].sort((a, b) => a.ms / a.n - b.ms / b.n);
    const cut = Math.floor(ranked.length * 0.2);
    const middle = ranked.slice(cut, ranked.length - cut);
    const n = sum(all, 'n');
    return {
      name,
      n,
      ms: sum(all, 'ms'),
      usPerRequest: (sum(middle, 'ms') * 1000) / Math.max(1, sum(middle, 'n')),
      usPerRequestAllChunks: (sum(all, 'ms') * 1000) / Math.max(1, n),
      chunks: all.length,
      statuses: statuses.get(name) ?? {},
      d1StatementsPerRequest: (tally?.statements ?? 0) / Math.max(1, n),
      d1RoundTripsPerRequest: (tally?.roundTrips ?? 0) / Math.max(1, n),
    };
  });
}
