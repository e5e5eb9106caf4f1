// What the revocation feed records and serves: the types its Durable Object (feed.ts), its D1 scan
// (d1-scan.ts) and every isolate's snapshot (snapshot.ts) share.

/**
 * What one revocation records: session ids (sign-out, revoke, revoke-all) and
 * per-user times (revoke-all, account deletion): a token of that user whose
 * `iat` (seconds) is before `before` is refused.
 */
export interface RevocationEntries {
  sessions?: readonly string[];
  users?: ReadonlyArray<{ id: string; before: number }>;
}

/**
 * The feed since a cursor, as `GET /.well-known/sitewide-revocations` serves
 * it. Times are seconds since the epoch. `cursor` is the value to pass next
 * time; `more` means the page was cut at FEED_PAGE entries: ask again at once.
 */
export interface RevocationPage {
  cursor: number;
  sessions: Array<{ id: string; at: number }>;
  users: Array<{ id: string; before: number }>;
  more: boolean;
  /** Seconds an entry is kept: past it, every token it could refuse has expired. */
  retention: number;
}
