/**
 * One renewal per expired token, however many requests carry it: concurrent callers with the same
 * key share one pending promise, and its answer is reused for `ttlMs` after it settles (the
 * browser's parallel requests, and the stragglers sent before the renewed cookie arrived, all
 * carry the old token). Bounded: at most `maxEntries` keys, oldest dropped first. Keys are hashes
 * of the token (`tokenKey`), never the token itself, and never shared between tokens.
 */

export interface SingleFlightOptions<T> {
  /** How long a settled answer is reused. */
  ttlMs: number;
  /** How many keys are kept at most. */
  maxEntries: number;
  /** Whether a settled answer may be reused (e.g. not a transient outage); default: all. */
  reusable?: (answer: T) => boolean;
  /** The clock (tests inject one). */
  now?: () => number;
}

export interface SingleFlight<T> {
  /** `work()`'s answer for `key`: the pending or recent one when there is one, else a new run. */
  run(key: string, work: () => Promise<T>): Promise<T>;
  /** Keys held now (pending or reusable). */
  readonly size: number;
}

type Entry<T> = { answer: Promise<T>; settledAt?: number; reusable: boolean };

export function singleFlight<T>(options: SingleFlightOptions<T>): SingleFlight<T> {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry<T>>();

  const fresh = (entry: Entry<T>, at: number) =>
    entry.settledAt === undefined || (entry.reusable && at - entry.settledAt < options.ttlMs);

  function prune(at: number) {
    for (const [key, entry] of entries) if (!fresh(entry, at)) entries.delete(key);
    while (entries.size >= options.maxEntries) {
      const oldest = entries.keys().next().value as string;
      entries.delete(oldest);
    }
  }

  return {
    run(key, work) {
      const at = now();
      const held = entries.get(key);
      if (held && fresh(held, at)) return held.answer;
      prune(at);
      const entry: Entry<T> = { answer: Promise.resolve().then(work), reusable: false };
      entries.set(key, entry);
      entry.answer.then(
        (answer) => {
          entry.reusable = options.reusable ? options.reusable(answer) : true;
          entry.settledAt = now();
        },
        () => {
          entry.settledAt = now();
        },
      );
      return entry.answer;
    },
    get size() {
      return entries.size;
    },
  };
}

/** A key for a token: SHA-256, base64url (the token itself is never kept as a key). */
export async function tokenKey(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
