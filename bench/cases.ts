/**
 * The bench cases, declared once. Read inside workerd by the two bench Workers (bench/workers/:
 * which route, which handler, which credential) and in Node by the runner
 * (which Worker to ask, what to load-test over HTTP, what each response must be, what the report
 * says), with the shapes of the control surface's answers. Plain data: no Node and no Workers APIs.
 */

/** What a case's request carries. Each bench Worker mints its own (GET /__bench/credentials). */
export type Credential =
  /** Sitewide's session cookie with a fresh token (as a browser sends it, on every route). */
  | 'session-cookie'
  /** The same cookie with an expired token: every request refreshes it. */
  | 'expired-session-cookie'
  /**
   * Expired tokens of SLIDE_POOL sessions of the bench user whose last slide is two days old,
   * sent in turn: every request refreshes a session whose slide is due (see `refresh-slide`).
   */
  | 'expired-session-cookie-pool'
  /** `Authorization: Bearer` with an access token. */
  | 'access-token'
  /** Auth.js's default session cookie (a JWE), for the peer. */
  | 'authjs-session-cookie';

/**
 * Who answers: the product's `createApp()` with the bench routes (bench/workers/main.ts), a bare
 * `new Hono()` with only the route (the floor under everything), or the @hono/auth-js peer
 * (bench/workers/peer.ts).
 */
export type CaseApp = 'sitewide' | 'floor' | 'peer';

export interface BenchCase {
  app: CaseApp;
  path: string;
  credential: Credential;
  /** Every response is 200, with this many D1 round trips per request (counted in the isolate). */
  d1RoundTrips: number;
  /** Load-tested over HTTP too, as a ratio to `bare` on the same path. */
  http: boolean;
  /** For the report. */
  what: string;
  /** Vars this case's requests see on top of the Worker's (a copy of env: its own Config). */
  vars?: Readonly<Record<string, string>>;
}

/**
 * Sessions `refresh-slide` rotates through. With SESSION_SLIDE_INTERVAL = 1 s a session slides
 * again only a second after its last slide: a pool this large is revisited far later than that
 * (a slide costs milliseconds), so every request of the case slides (its two D1 round trips are
 * checked on every sample).
 */
export const SLIDE_POOL = 2000;

/** In the order of the report; in-isolate mixes rotate through them. */
export const CASES = {
  floor: {
    app: 'floor',
    path: '/bench/bare',
    credential: 'session-cookie',
    d1RoundTrips: 0,
    http: false,
    what: 'a bare `new Hono()` with only the route (no app middleware)',
  },
  bare: {
    app: 'sitewide',
    path: '/bench/bare',
    credential: 'session-cookie',
    d1RoundTrips: 0,
    http: true,
    what: 'unprotected route, same app, same JSON',
  },
  'me-fresh': {
    app: 'sitewide',
    path: '/api/bench/me',
    credential: 'session-cookie',
    d1RoundTrips: 0,
    http: true,
    what: 'protected route, fresh cookie, no D1 (the ES256 check runs once per token per isolate: verified-token cache)',
  },
  'me-fresh-db': {
    app: 'sitewide',
    path: '/api/me',
    credential: 'session-cookie',
    d1RoundTrips: 0,
    http: true,
    what: 'the product’s `GET /api/me`: fresh cookie, answered from the token’s profile claims (no D1)',
  },
  refresh: {
    app: 'sitewide',
    path: '/api/bench/me',
    credential: 'expired-session-cookie',
    d1RoundTrips: 1,
    http: true,
    what: 'expired token: verify + one D1 read + re-sign + Set-Cookie; no slide due (the last slide is younger than SESSION_SLIDE_INTERVAL, 24 h): no write',
  },
  'refresh-slide': {
    app: 'sitewide',
    path: '/api/bench/me',
    credential: 'expired-session-cookie-pool',
    d1RoundTrips: 2,
    http: false,
    what: `expired token whose session's last slide is older than SESSION_SLIDE_INTERVAL (1 s here; ${SLIDE_POOL} sessions in turn): the read, then the slide (a batch: UPDATE + SELECT) + re-sign + Set-Cookie`,
    vars: { SESSION_SLIDE_INTERVAL: '1' },
  },
  bearer: {
    app: 'sitewide',
    path: '/api/bench/me',
    credential: 'access-token',
    d1RoundTrips: 0,
    http: true,
    what: '`Authorization: Bearer` access token (ES256)',
  },
  'peer-bare': {
    app: 'peer',
    path: '/bench/bare',
    credential: 'authjs-session-cookie',
    d1RoundTrips: 0,
    http: false,
    what: 'peer Worker: unprotected route (initAuthConfig runs on every route, as documented)',
  },
  'peer-hono-authjs': {
    app: 'peer',
    path: '/api/bench/me',
    credential: 'authjs-session-cookie',
    d1RoundTrips: 0,
    http: true,
    what: 'peer Worker: same route behind `verifyAuth()`, Auth.js default JWE cookie',
  },
} as const satisfies Record<string, BenchCase>;

export type CaseName = keyof typeof CASES;
export const CASE_NAMES = Object.keys(CASES) as CaseName[];
export type BenchWorker = 'main' | 'peer';
/** The Worker serving a case: the peer's own, or the main bench Worker (product and floor). */
export const workerOf = (name: CaseName): BenchWorker => (CASES[name].app === 'peer' ? 'peer' : 'main');
export const casesOf = (worker: BenchWorker) => CASE_NAMES.filter((name) => workerOf(name) === worker);
export const HTTP_CASE_NAMES = CASE_NAMES.filter((name) => CASES[name].http);
/** A peer case's overhead is also taken over the peer's own unprotected route. */
export const PEER_BASELINE: CaseName = 'peer-bare';

/** The parts of the fresh-cookie path on their own, in the main bench Worker (GET /__bench/mix?micro=1). */
export const MICRO_CASES = {
  'verify-es256-webcrypto': 'one Web Crypto ECDSA P-256 verify of the session token (the floor of any ES256 verifier)',
  'verify-jose':
    '`verifySessionToken` on a token not yet verified in the isolate (jose `jwtVerify`, every option pinned): the first request with a token costs this more',
  'sign-jose': '`signSessionToken` (what a refresh adds besides D1)',
  'verify-ed25519-webcrypto': 'Ed25519 verify of the same signing input (alternative algorithm)',
  'verify-hs256-webcrypto': 'HMAC-SHA256 verify of the same signing input (symmetric: no public verification)',
  'verified-token-cache-hit': 'a per-isolate Map of verified tokens (token → claims, exp checked): a hit',
  'console-log-line': 'one `console.log` of a JSON request line like the app’s request log (locally: a pipe write)',
  'revocation-snapshot-check':
    'what `requireSession` adds for the revocation feed on every request: the isolate’s snapshot (polled from the Durable Object every REVOCATION_POLL = 5 s) asked about the token’s session and user',
} as const;
export type MicroCaseName = keyof typeof MICRO_CASES;
export const MICRO_CASE_NAMES = Object.keys(MICRO_CASES) as MicroCaseName[];

/**
 * The D1 throughput case's operations on a seeded local D1 (bench/phases/d1.ts, inside the main
 * bench Worker: bench/workers/d1.ts), the client counts each runs at, and what each is.
 */
export const D1_CASES = {
  refresh: { clients: [1, 4], what: '`refreshSession`, no slide due: one indexed SELECT (one round trip)' },
  'refresh-slide': {
    clients: [1, 4],
    what: '`refreshSession` with a slide due: the SELECT, then a batch (UPDATE + SELECT)',
  },
  'api-me': {
    clients: [1, 4],
    what: '`GET /api/me` through the whole app with an expired token: verify, the refresh read, re-sign, Set-Cookie',
  },
  'api-me-fresh': {
    clients: [1],
    what: '`GET /api/me` through the whole app with a fresh token: answered from the token, no D1',
  },
  signin: { clients: [1], what: '`recordSignIn` of a returning user (a batch of 8)' },
  revoke: { clients: [1], what: '`revokeSession` (a batch of 2: UPDATE … RETURNING + audit INSERT)' },
} as const;
export type D1CaseName = keyof typeof D1_CASES;

/** `console-log-line` once more, under `wrangler dev` (GET /__bench/micro there). */
export const DEV_LOG_LINE = {
  name: 'console-log-line (wrangler dev)',
  what: 'the same line under `wrangler dev`, whose inspector receives every console call',
} as const;

// ---------------------------------------------------------------- what the control surface answers

/**
 * GET /__bench/credentials: the headers of each credential the Worker's cases carry, minted for
 * the request (a pool credential: a list of them, sent in turn; minted only when asked for).
 */
export type Credentials = Partial<Record<Credential, Record<string, string> | Record<string, string>[]>>;

/** GET /__bench/run and /__bench/micro: one operation n times in a row. */
export interface BatchResult {
  name: string;
  n: number;
  /** Wall time of the timed loop inside the isolate (performance.now()). */
  ms: number;
  usPerRequest: number;
  statuses: Record<string, number>;
}

/** GET /__bench/mix: one entry of the cases interleaved chunk by chunk. */
export interface MixResult {
  name: string;
  n: number;
  ms: number;
  /**
   * µs per operation: the mean over the middle 60% of the chunks (ranked by their µs per
   * operation), so chunks stalled by something else on the machine (or a GC pause) do not count,
   * while the 1 ms rounding of the timer still averages out.
   */
  usPerRequest: number;
  /** Plain total time / operations over every chunk. */
  usPerRequestAllChunks: number;
  chunks: number;
  statuses: Record<string, number>;
  d1StatementsPerRequest: number;
  d1RoundTripsPerRequest: number;
}

/** GET /__bench/outbound: this isolate's outbound fetches, by origin + path. */
export interface OutboundCounts {
  total: number;
  byUrl: Record<string, number>;
}
