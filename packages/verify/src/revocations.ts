/**
 * This process's copy of Sitewide's revocation feed (`revocations_uri` in sitewide.json): polled
 * at most once per `revocation_poll` interval, by the verification that finds it stale (the others
 * meanwhile wait for that same poll, up to FEED_TIMEOUT_MS). While the feed fails, the last
 * snapshot is kept and polls run without holding verifications up: never a lock-out.
 */
import type { JWTPayload } from 'jose';
import type { SitewideMetadata } from './metadata.ts';

/** `GET /.well-known/sitewide-revocations?since=CURSOR`, as Sitewide answers it. */
interface RevocationPage {
  cursor: number;
  sessions: Array<{ id: string; at: number }>;
  users: Array<{ id: string; before: number }>;
  more: boolean;
  retention: number;
}

/** How long a verification waits for a revocation poll before going on with the last snapshot. */
const FEED_TIMEOUT_MS = 1500;
/** Pages read per poll at most (a verifier far behind catches up over several polls). */
const MAX_PAGES = 5;

export interface RevocationSnapshot {
  /** True when the feed lists the token's session, or its user from before the token was signed. */
  refuses(meta: SitewideMetadata, payload: JWTPayload): Promise<boolean>;
}

export function revocationSnapshot(fetchImpl: typeof fetch): RevocationSnapshot {
  const sessions = new Map<string, number>();
  const users = new Map<string, number>();
  let cursor = 0;
  let retention = 0;
  let polledAt = 0;
  let attemptedAt = 0;
  let failing = false;
  let inFlight: Promise<void> | undefined;

  async function poll(uri: string): Promise<void> {
    try {
      for (let page = 0; page < MAX_PAGES; page++) {
        const res = await fetchImpl(`${uri}?since=${cursor}`, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(FEED_TIMEOUT_MS),
        });
        if (!res.ok) throw new Error(`${uri} answered ${res.status}`);
        const body = (await res.json()) as RevocationPage;
        for (const s of body.sessions ?? []) sessions.set(String(s.id), Number(s.at));
        for (const u of body.users ?? []) users.set(String(u.id), Math.max(Number(u.before), users.get(u.id) ?? 0));
        cursor = Number(body.cursor) || 0;
        retention = Number(body.retention) || retention;
        if (!body.more) break;
      }
      const horizon = Date.now() / 1000 - retention;
      for (const [id, at] of sessions) if (at < horizon) sessions.delete(id);
      for (const [id, before] of users) if (before < horizon) users.delete(id);
      polledAt = Date.now();
      failing = false;
    } catch {
      failing = true;
    }
  }

  return {
    async refuses(meta, payload) {
      const uri = meta.revocations_uri;
      if (!uri) return false;
      const interval = (Number(meta.revocation_poll) || 5) * 1000;
      const now = Date.now();
      if (now - polledAt >= interval) {
        if (!inFlight && now - attemptedAt >= interval) {
          attemptedAt = now;
          inFlight = poll(uri).finally(() => {
            inFlight = undefined;
          });
        }
        if (inFlight && !failing) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          await Promise.race([inFlight, new Promise((resolve) => (timer = setTimeout(resolve, FEED_TIMEOUT_MS)))]);
          clearTimeout(timer);
        }
      }
      if (typeof payload.sid === 'string' && sessions.has(payload.sid)) return true;
      const before = users.get(String(payload.sub));
      return before !== undefined && typeof payload.iat === 'number' && payload.iat < before;
    },
  };
}
