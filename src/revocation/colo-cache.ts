import type { Config } from '../config/config';
import type { RevocationPage } from './types';

/**
 * Seconds a location's cache (the Cache API, shared by every isolate of the
 * data center) keeps one answer of the feed: 1 s, and only when
 * REVOCATION_POLL is 2 s or more, so it adds at most half an interval to the
 * bound. Up-to-date isolates all ask with the same cursor (the feed's head),
 * so a busy location asks the Durable Object about once a second per cursor,
 * whatever its isolate count.
 */
export function coloCacheSecondsOf(config: Pick<Config, 'revocationPoll'>): number {
  return config.revocationPoll >= 2 ? 1 : 0;
}

/** The location's cache, when the runtime has one (workerd does; a Node test harness may not). */
function coloCache(): Cache | undefined {
  return (globalThis as { caches?: { default?: Cache } }).caches?.default;
}

/** The cache key of one answer: the API's own origin (its zone), a path no route serves, the inputs. */
function keyOf(config: Pick<Config, 'apiOrigin'>, since: number, retention: number, scanEvery: number): string {
  return `${config.apiOrigin}/__sitewide/revocation-feed?since=${since}&retention=${retention}&scan=${scanEvery}`;
}

/**
 * Reads one answer of the feed through the location's cache: a hit costs no
 * Durable Object call; a miss asks `read` and stores its answer for
 * coloCacheSecondsOf(config). The cache never decides anything: a failure of
 * it is ignored and the feed is asked.
 */
export async function throughColoCache(
  config: Pick<Config, 'apiOrigin' | 'revocationPoll'>,
  inputs: { since: number; retention: number; scanEvery: number },
  read: () => Promise<RevocationPage>,
  /** Runs before the feed is asked (a miss, or no cache): the public route spends a rate-limit budget here. */
  onMiss?: () => Promise<void>,
): Promise<RevocationPage> {
  const seconds = coloCacheSecondsOf(config);
  const cache = seconds > 0 ? coloCache() : undefined;
  if (!cache) {
    await onMiss?.();
    return read();
  }
  const key = keyOf(config, inputs.since, inputs.retention, inputs.scanEvery);
  const hit = await cache.match(key).catch(() => undefined);
  if (hit) return (await hit.json()) as RevocationPage;
  await onMiss?.();
  const page = await read();
  const stored = new Response(JSON.stringify(page), {
    headers: { 'content-type': 'application/json', 'cache-control': `public, max-age=${seconds}` },
  });
  await cache.put(key, stored).catch(() => {});
  return page;
}
