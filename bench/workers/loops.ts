/** The in-isolate loop of the bench Workers: operations interleaved chunk by chunk (the report's figures). */
import type { MixResult } from '../cases';
import { type D1Tally, newTally } from './d1-meter';

export type Handler = (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;

/** One entry of a mix: an operation that answers a status (a request) or nothing (a part). */
export interface BenchOp {
  name: string;
  op: () => Promise<number | undefined>;
  /** D1 traffic this entry caused (request cases on a Worker with D1). */
  tally?: D1Tally;
}

type Chunk = { n: number; ms: number };

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
    // The first call pays what happens once per env or per half minute (a config parse, a feed poll, the
    // gate's assertion signed): left out, or it would shrink the entry's chunks to a few calls.
    await op();
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
      usPerRequest: (sum(middle, 'ms') * 1000) / Math.max(1, sum(middle, 'n')),
      usPerRequestAllChunks: (sum(all, 'ms') * 1000) / Math.max(1, n),
      statuses: statuses.get(name) ?? {},
      d1StatementsPerRequest: (tally?.statements ?? 0) / Math.max(1, n),
      d1RoundTripsPerRequest: (tally?.roundTrips ?? 0) / Math.max(1, n),
    };
  });
}
