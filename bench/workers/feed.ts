/**
 * The revocation feed's cost (issue 15), inside workerd: GET /__bench/feed?n=N polls the real
 * Durable Object through the binding N times as an isolate's snapshot does (src/revocation/
 * snapshot.ts `readFeed`, the product's own call), and asks the Durable Object to time its own
 * side of a poll (`since`, SQL included) and count the rows it reads. Two feeds: the product's
 * (`global`, nothing new since the cursor: the steady state of every poll) and a bench-only one
 * holding a full page (FEED_PAGE entries: the most one poll call brings). The runner reads the
 * server's CPU time around each call (bench/phases/feed.ts).
 */
import { type Config, FEED_PAGE, type FeedNamespace, feedOf, RevocationFeed, readFeed, retentionOf } from './app';

/** What the Durable Object measures of its own side of `n` polls. */
export interface FeedSideTiming {
  n: number;
  /** Wall time inside the Durable Object per `since` call (synchronous SQLite: its CPU). */
  usPerCall: number;
  /** SQLite rows read per call (the cursors' rowsRead): what Durable Object SQL storage bills. */
  rowsReadPerCall: number;
  entriesPerCall: number;
}

/** The product's feed, with a method that times `since` inside the Durable Object (bench only). */
export class BenchRevocationFeed extends RevocationFeed {
  private rowsRead = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Count the rows every statement of the feed reads (the product class keeps its SqlStorage in `sql`).
    const self = this as unknown as { sql: SqlStorage };
    const sql = self.sql;
    self.sql = new Proxy(sql, {
      get: (target, prop) => {
        if (prop !== 'exec') return Reflect.get(target, prop, target);
        return (query: string, ...bindings: unknown[]) => {
          const cursor = target.exec(query, ...bindings);
          const counted = this;
          return new Proxy(cursor, {
            get(c, key) {
              const value = Reflect.get(c, key, c);
              if (key !== 'toArray' && key !== 'one') return typeof value === 'function' ? value.bind(c) : value;
              return () => {
                const out = (value as () => unknown).call(c);
                counted.rowsRead += c.rowsRead;
                return out;
              };
            },
          });
        };
      },
    });
  }

  /**
   * `n` calls of `since(cursor)`, timed here: the Durable Object's own cost of one poll. A first,
   * untimed call does the D1 read of revocations written elsewhere (at most once a second per feed,
   * whatever the number of isolates; src/revocation/d1-scan.ts): the timed calls are the steady state.
   */
  async timeSince(cursor: number, retention: number, n: number): Promise<FeedSideTiming> {
    await this.since(cursor, retention);
    this.rowsRead = 0;
    let entries = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const page = await this.since(cursor, retention);
      entries += page.sessions.length + page.users.length;
    }
    const ms = performance.now() - t0;
    return { n, usPerCall: (ms * 1000) / n, rowsReadPerCall: this.rowsRead / n, entriesPerCall: entries / n };
  }

  /** Fills this (bench-only) feed to one full page of session revocations, once. */
  async fillPage(retention: number): Promise<number> {
    const page = await this.since(0, retention);
    const missing = FEED_PAGE - page.sessions.length - page.users.length;
    if (missing > 0) {
      this.record({ sessions: Array.from({ length: missing }, () => crypto.randomUUID()) }, retention);
    }
    return (await this.since(0, retention)).sessions.length;
  }
}

type BenchFeedStub = DurableObjectStub<BenchRevocationFeed>;

/** One feed's polls from this isolate: wall time per poll through the binding, and the answer's size. */
async function timePolls(poll: () => Promise<unknown>, n: number) {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < 10; i++) await poll();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const answer = await poll();
    times.push(performance.now() - s);
    if (i === 0) bytes = JSON.stringify(answer).length;
  }
  const ms = performance.now() - t0;
  times.sort((a, b) => a - b);
  return {
    n,
    /** Mean wall time per poll (µs), over the whole loop (performance.now() advances in 1 ms steps). */
    usPerPoll: (ms * 1000) / n,
    p99Ms: times[Math.min(times.length - 1, Math.floor(0.99 * times.length))] ?? Number.NaN,
    answerBytes: bytes,
  };
}

/**
 * GET /__bench/feed?what=W&n=N, one part at a time (the runner reads the workerd process's CPU
 * time around each call):
 *   what=steady  N polls of the product's feed with nothing new since the cursor (every poll but
 *                the few after a revocation), timed in this isolate;
 *   what=page    N polls of a bench-only feed holding one full page (FEED_PAGE entries);
 *   what=side    the Durable Object's own timing of N calls of each (`since`, SQL included).
 */
export async function feedCost(env: Env, config: Config, url: URL) {
  const namespace = env.REVOCATION_FEED as unknown as FeedNamespace | undefined;
  if (!namespace) throw new Error('no REVOCATION_FEED binding: the feed cannot be measured');
  const n = Math.min(20_000, Math.max(10, Number(url.searchParams.get('n') ?? 1000)));
  const retention = retentionOf(config);
  const head = (await readFeed(namespace, config, 0)).cursor;
  const pageStub = namespace.get(namespace.idFromName('bench-feed-page')) as unknown as BenchFeedStub;
  const base = { cursor: head, retentionSeconds: retention, pollSeconds: config.revocationPoll };
  switch (url.searchParams.get('what')) {
    case 'steady':
      return { ...base, ...(await timePolls(() => readFeed(namespace, config, head), n)) };
    case 'page': {
      const entries = await pageStub.fillPage(retention);
      return { ...base, entries, ...(await timePolls(() => pageStub.since(0, retention), n)) };
    }
    case 'side': {
      await pageStub.fillPage(retention);
      const globalStub = feedOf(namespace) as unknown as BenchFeedStub;
      return {
        ...base,
        steady: await globalStub.timeSince(head, retention, n),
        page: await pageStub.timeSince(0, retention, Math.max(10, Math.floor(n / 10))),
      };
    }
    default:
      throw new Error('what= steady, page or side');
  }
}
