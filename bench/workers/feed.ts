/** The feed's cost, inside workerd (GET /__bench/feed?what=polls|side&n=N): polls through the binding, the DO's own time. */
import { type Config, type FeedNamespace, feedOf, RevocationFeed, readFeed, retentionOf } from './app';

/** The product's feed, with what the bench asks of the Durable Object itself. */
export class BenchRevocationFeed extends RevocationFeed {
  private readonly cursors: { rowsRead: number }[] = [];

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Keep every cursor of the feed's SQL (the product class holds its SqlStorage in `sql`) for its rowsRead.
    const self = this as unknown as { sql: SqlStorage };
    const sql = self.sql;
    self.sql = new Proxy(sql, {
      get: (target, prop) => {
        if (prop !== 'exec') return Reflect.get(target, prop, target);
        return (query: string, ...bindings: unknown[]) => {
          const cursor = target.exec(query, ...bindings);
          this.cursors.push(cursor);
          return cursor;
        };
      },
    });
  }

  /** `n` calls of `since(cursor)` timed here, after an untimed one (which may scan D1: at most once a second per feed). */
  async timeSince(cursor: number, retention: number, n: number) {
    await this.since(cursor, retention);
    this.cursors.length = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await this.since(cursor, retention);
    const usPerCall = ((performance.now() - t0) * 1000) / n;
    return { usPerCall, rowsReadPerCall: this.cursors.reduce((a, c) => a + c.rowsRead, 0) / n };
  }
}

export async function feedCost(env: Env, config: Config, url: URL) {
  const namespace = env.REVOCATION_FEED as unknown as FeedNamespace;
  const n = Math.min(20_000, Math.max(10, Number(url.searchParams.get('n') ?? 1000)));
  const retention = retentionOf(config);
  const head = (await readFeed(namespace, config, 0)).cursor;
  if (url.searchParams.get('what') === 'side') {
    const feed = feedOf(namespace) as unknown as DurableObjectStub<BenchRevocationFeed>;
    return feed.timeSince(head, retention, n);
  }
  for (let i = 0; i < 10; i++) await readFeed(namespace, config, head);
  const answerBytes = JSON.stringify(await readFeed(namespace, config, head)).length;
  const times: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await readFeed(namespace, config, head);
    times.push(performance.now() - s);
  }
  // The mean over the loop (performance.now() advances in 1 ms steps), and the p99 of single polls.
  const usPerPoll = ((performance.now() - t0) * 1000) / n;
  const p99Ms = times.sort((a, b) => a - b)[Math.floor(0.99 * n)] ?? Number.NaN;
  return { n, usPerPoll, p99Ms, answerBytes, pollSeconds: config.revocationPoll };
}
