import type { Config } from '../config/config';
import { describeCause, log } from '../log';
import { throughColoCache } from './colo-cache';
import { DEFAULT_SCAN_EVERY_MS } from './d1-scan';
import type { RevocationFeed } from './feed';
import type { RevocationEntries, RevocationPage } from './types';

/** How long a request waits for the feed (a poll, or a revocation's write) before going on without it. */
export const FEED_TIMEOUT_MS = 1500;
/** Without an answer from the feed for this long, revocation falls back to the token-lifetime bound (logged once). */
export const FEED_STALE_AFTER_MS = 60_000;
/** Pages read in one poll at most (FEED_PAGE entries each); the rest comes at the next poll. */
const MAX_PAGES = 5;
/** Clock skew allowed between the Worker and verifiers when keeping entries. */
const SKEW_SECONDS = 60;

export type FeedNamespace = DurableObjectNamespace<RevocationFeed>;

/** Seconds an entry must be kept: a session token or access token signed before it is expired after this. */
export function retentionOf(config: Pick<Config, 'sessionTokenTtl' | 'accessTokenTtl'>): number {
  return Math.max(config.sessionTokenTtl, config.accessTokenTtl) + SKEW_SECONDS;
}

/** How often the feed reads D1 for revocations written elsewhere: every poll, at most once a second. */
export function scanEveryOf(config: Pick<Config, 'revocationPoll'>): number {
  return Math.min(config.revocationPoll * 1000, DEFAULT_SCAN_EVERY_MS);
}

/** The one feed instance (its limit, and sharding: docs/scale.md#8-the-revocation-feeds-limit). */
export function feedOf(namespace: FeedNamespace) {
  return namespace.get(namespace.idFromName('global'));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Reads the feed after `since` (one page), through the location's cache when
 * REVOCATION_POLL allows it (src/revocation/colo-cache.ts).
 */
export async function readFeed(
  namespace: FeedNamespace,
  config: Config,
  since: number,
  onMiss?: () => Promise<void>,
): Promise<RevocationPage> {
  const inputs = { since, retention: retentionOf(config), scanEvery: scanEveryOf(config) };
  const ask = async () =>
    (await withTimeout(
      Promise.resolve(feedOf(namespace).since(inputs.since, inputs.retention, inputs.scanEvery)),
      FEED_TIMEOUT_MS,
      'reading the revocation feed',
    )) as RevocationPage;
  return throughColoCache(config, inputs, ask, onMiss);
}

/**
 * One isolate's copy of the feed: the revoked session ids and the per-user
 * "revoked before" times (`iat` seconds), with the cursor it has read up to.
 */
export class RevocationSnapshot {
  readonly sessions = new Map<string, number>();
  readonly users = new Map<string, number>();
  cursor = 0;
  /** When the feed last answered (ms), 0 never; when a poll last started. */
  polledAt = 0;
  attemptedAt = 0;
  /** The last poll failed: the next ones run in the background until one succeeds. */
  failing = false;
  private staleLogged = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly namespace: FeedNamespace | undefined,
    private readonly config: Config,
  ) {}

  /** The refusal for a token with these claims: revoked by session id, or by the user's time. */
  refuses(claims: { sub: string; sid: string; iat: number }): boolean {
    if (this.sessions.has(claims.sid)) return true;
    const before = this.users.get(claims.sub);
    return before !== undefined && claims.iat < before;
  }

  /** Adds entries (from the feed, or written by this isolate) and drops those older than the retention. */
  apply(entries: RevocationEntries, at = Math.floor(Date.now() / 1000)): void {
    for (const id of entries.sessions ?? []) this.sessions.set(id, at);
    for (const { id, before } of entries.users ?? []) this.users.set(id, Math.max(before, this.users.get(id) ?? 0));
    this.prune();
  }

  private prune(): void {
    const horizon = Math.floor(Date.now() / 1000) - retentionOf(this.config);
    for (const [id, at] of this.sessions) if (at < horizon) this.sessions.delete(id);
    for (const [id, before] of this.users) if (before < horizon) this.users.delete(id);
  }

  /**
   * Brings the snapshot up to date when it is older than REVOCATION_POLL:
   * at most one poll per isolate per interval. A request that finds the
   * snapshot stale waits for the poll (its own, or the one in flight), up to
   * FEED_TIMEOUT_MS: a quiet isolate never serves a snapshot minutes old.
   * While the feed is failing, polls run in the background (`waitUntil`) and
   * requests go on with the last snapshot: an outage costs no latency.
   */
  fresh(waitUntil: (promise: Promise<unknown>) => void): Promise<void> | undefined {
    const now = Date.now();
    const interval = this.config.revocationPoll * 1000;
    // The hot path: a snapshot younger than the interval answers synchronously (no await, no promise).
    if (!this.namespace || now - this.polledAt < interval) return undefined;
    if (!this.inFlight && now - this.attemptedAt >= interval) {
      this.attemptedAt = now;
      const poll = this.poll().finally(() => {
        this.inFlight = undefined;
      });
      this.inFlight = poll;
      waitUntil(poll);
    }
    if (this.failing || !this.inFlight) return undefined;
    return withTimeout(this.inFlight, FEED_TIMEOUT_MS, 'waiting for the revocation poll').catch(() => {});
  }

  private async poll(): Promise<void> {
    try {
      if (!this.namespace) return;
      for (let page = 0; page < MAX_PAGES; page++) {
        const answer = await readFeed(this.namespace, this.config, this.cursor);
        // The feed starting over (a cursor ahead of it) resends what it holds: applying it again is harmless.
        for (const s of answer.sessions) this.sessions.set(s.id, Math.max(s.at, this.sessions.get(s.id) ?? 0));
        this.apply({ users: answer.users });
        this.cursor = answer.cursor;
        if (!answer.more) break;
      }
      if (this.failing || this.staleLogged) log('info', 'revocation feed reachable again', {});
      this.polledAt = Date.now();
      this.failing = false;
      this.staleLogged = false;
    } catch (cause) {
      this.failing = true;
      const lastAnswer = this.polledAt ? new Date(this.polledAt).toISOString() : null;
      log('warn', 'revocation feed unreachable: serving the last snapshot', {
        cause: describeCause(cause),
        last_answer: lastAnswer,
      });
      if (!this.staleLogged && Date.now() - this.polledAt >= FEED_STALE_AFTER_MS) {
        this.staleLogged = true;
        log('error', 'revocation feed stale: revocations now take up to SESSION_TOKEN_TTL', {
          last_answer: lastAnswer,
          stale_after_ms: FEED_STALE_AFTER_MS,
        });
      }
    }
  }
}

const snapshots = new WeakMap<object, RevocationSnapshot>();

/** The isolate's snapshot for this env (one per env object, as the Config). */
export function snapshotOf(env: Env, config: Config): RevocationSnapshot {
  let snapshot = snapshots.get(env);
  if (!snapshot) {
    snapshot = new RevocationSnapshot(env.REVOCATION_FEED as FeedNamespace | undefined, config);
    snapshots.set(env, snapshot);
  }
  return snapshot;
}

/**
 * Records revocations in the feed, in the request that wrote them to D1, and
 * in this isolate's snapshot at once. D1 is the source of truth: a feed that
 * cannot be reached is logged, never the user's failure (those revocations
 * then take up to one token lifetime elsewhere).
 */
export async function recordRevocations(env: Env, config: Config, entries: RevocationEntries): Promise<void> {
  if (!entries.sessions?.length && !entries.users?.length) return;
  snapshotOf(env, config).apply(entries);
  const namespace = env.REVOCATION_FEED as FeedNamespace | undefined;
  try {
    if (!namespace) throw new Error('the REVOCATION_FEED binding is missing (wrangler.toml)');
    await withTimeout(
      Promise.resolve(feedOf(namespace).record(entries, retentionOf(config))),
      FEED_TIMEOUT_MS,
      'writing to the revocation feed',
    );
  } catch (cause) {
    log('error', 'revocation feed write failed: this revocation takes up to SESSION_TOKEN_TTL elsewhere', {
      cause: describeCause(cause),
      sessions: entries.sessions?.length ?? 0,
      users: entries.users?.length ?? 0,
    });
  }
}
