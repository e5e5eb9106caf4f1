import { env } from 'cloudflare:workers';
import { CookieJar } from './cookies';

type Feed = Env['REVOCATION_FEED'];

/**
 * The real revocation feed binding, wrapped: counts the calls this binding
 * makes (polls `since`, writes `record`), and can be taken down (`down`).
 * Give it to one isolate (`apiWith({ REVOCATION_FEED: feed })`) to count that isolate's calls.
 */
export function countingFeed(real: Feed = env.REVOCATION_FEED) {
  const counter = { since: 0, record: 0, down: false };
  const fail = () => Promise.reject(new Error('revocation feed down (test)'));
  const feed = {
    idFromName: (name: string) => real.idFromName(name),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      return {
        since: (...args: Parameters<typeof stub.since>) => {
          counter.since++;
          return counter.down ? fail() : stub.since(...args);
        },
        record: (...args: Parameters<typeof stub.record>) => {
          counter.record++;
          return counter.down ? fail() : stub.record(...args);
        },
      };
    },
  } as unknown as Feed;
  return { feed, counter };
}

/** A second browser holding the same cookies (a stolen copy). */
export function copyOf(jar: CookieJar): CookieJar {
  const copy = new CookieJar();
  for (const [key, entry] of jar.entries) copy.entries.set(key, { ...entry });
  return copy;
}
