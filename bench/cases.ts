/** The bench cases, declared once, for the Workers (in workerd) and the runner (in Node); plain data, and the answers' shapes. */

/** What a case's request carries; each bench Worker mints its own (GET /__bench/credentials). */
export type Credential =
  | 'session-cookie' // a fresh session token, as a browser sends it on every route
  | 'expired-session-cookie' // every request refreshes it
  | 'expired-session-cookie-pool' // SLIDE_POOL sessions whose slide is due, sent in turn
  | 'access-token' // Authorization: Bearer
  | 'authjs-session-cookie'; // Auth.js's default session cookie (a JWE), for the peer

/**
 * Who answers: the product's createApp() with the bench routes, a bare `new Hono()` with only the route, the
 * @hono/auth-js peer, the gate (src/gate) in front of an origin, or a plain pass-through Worker to the same origin.
 */
export type CaseApp = 'sitewide' | 'floor' | 'peer' | 'gate' | 'passthrough';

export interface BenchCase {
  app: CaseApp;
  path: string;
  credential: Credential;
  /** Every response is 200, with this many D1 round trips per request (counted in the isolate). */
  d1RoundTrips: number;
  /** Load-tested over HTTP too, as a ratio to `bare` on the same path. */
  http: boolean;
  /** Vars this case's requests see on top of the Worker's (a copy of env: its own Config). */
  vars?: Readonly<Record<string, string>>;
  /** The origin the request is for (its Host), when not the API's: a gated host, the pass-through's. */
  origin?: string;
  /** The case its overhead and HTTP ratio are taken against, when not `bare`. */
  baseline?: string;
}

/**
 * The gated host of the main bench Worker (GATES, settings.ts) and the pass-through's host. Plain-http
 * localhost names, as the bench servers speak http: the Host header picks them, whatever port is dialled.
 */
export const GATED_ORIGIN = 'http://localhost:8789';
export const PASSTHROUGH_ORIGIN = 'http://localhost:8790';

/** Sessions `refresh-slide` rotates through: revisited far later than SESSION_SLIDE_INTERVAL = 1 s, so every request slides. */
export const SLIDE_POOL = 2000;
const BARE = '/bench/bare';
const ME = '/api/bench/me';

/** In the order of the report (bench/README.md#cases says what each is); in-isolate mixes rotate through them. */
export const CASES = {
  floor: { app: 'floor', path: BARE, credential: 'session-cookie', d1RoundTrips: 0, http: false },
  bare: { app: 'sitewide', path: BARE, credential: 'session-cookie', d1RoundTrips: 0, http: true },
  'me-fresh': { app: 'sitewide', path: ME, credential: 'session-cookie', d1RoundTrips: 0, http: true },
  'me-fresh-db': { app: 'sitewide', path: '/api/me', credential: 'session-cookie', d1RoundTrips: 0, http: true },
  refresh: { app: 'sitewide', path: ME, credential: 'expired-session-cookie', d1RoundTrips: 1, http: true },
  'refresh-slide': {
    ...{ app: 'sitewide', path: ME, credential: 'expired-session-cookie-pool', d1RoundTrips: 2, http: false },
    vars: { SESSION_SLIDE_INTERVAL: '1' },
  },
  bearer: { app: 'sitewide', path: ME, credential: 'access-token', d1RoundTrips: 0, http: true },
  'peer-bare': { app: 'peer', path: BARE, credential: 'authjs-session-cookie', d1RoundTrips: 0, http: false },
  'peer-hono-authjs': { app: 'peer', path: ME, credential: 'authjs-session-cookie', d1RoundTrips: 0, http: true },
  'gate-passthrough': {
    ...{ app: 'passthrough', origin: PASSTHROUGH_ORIGIN, path: BARE, credential: 'session-cookie' },
    ...{ d1RoundTrips: 0, http: true },
  },
  gate: {
    ...{ app: 'gate', origin: GATED_ORIGIN, path: BARE, credential: 'session-cookie', d1RoundTrips: 0, http: true },
    baseline: 'gate-passthrough',
  },
} as const satisfies Record<string, BenchCase>;

export type CaseName = keyof typeof CASES;
export const CASE_NAMES = Object.keys(CASES) as CaseName[];
export type BenchWorker = 'main' | 'peer';
/** The Worker serving a case: the peer's own, or the main bench Worker (product, floor, gate and pass-through). */
export const workerOf = (name: CaseName): BenchWorker => (CASES[name].app === 'peer' ? 'peer' : 'main');
export const casesOf = (worker: BenchWorker) => CASE_NAMES.filter((name) => workerOf(name) === worker);
export const HTTP_CASE_NAMES = CASE_NAMES.filter((name) => CASES[name].http);
/** The case a case is compared with: its own baseline, else `bare`. */
export const baselineOf = (name: CaseName): CaseName =>
  ((CASES[name] as BenchCase).baseline as CaseName | undefined) ?? 'bare';
/** A peer case's overhead is also taken over the peer's own unprotected route. */
export const PEER_BASELINE: CaseName = 'peer-bare';

/** The parts of the fresh-cookie path on their own, in the main bench Worker (GET /__bench/mix?micro=1); bench/README.md#cases says what each is. */
export const MICRO_CASE_NAMES = [
  ...['verify-es256-webcrypto', 'verify-jose', 'sign-jose', 'verify-ed25519-webcrypto', 'verify-hs256-webcrypto'],
  ...['verified-token-cache-hit', 'console-log-line', 'revocation-snapshot-check'],
] as const;
export type MicroCaseName = (typeof MICRO_CASE_NAMES)[number];
/** `console-log-line` once more, under `wrangler dev` (whose inspector receives every console call). */
export const DEV_LOG_LINE = 'console-log-line (wrangler dev)';

/** D1 throughput on a seeded local D1 (bench/phases/d1.ts): each operation and its client counts. */
export const D1_CASES = {
  refresh: [1, 4],
  'refresh-slide': [1, 4],
  'api-me': [1, 4],
  'api-me-fresh': [1],
  signin: [1],
  revoke: [1],
};

/** GET /__bench/credentials: the headers of each credential (a pool: a list, sent in turn; minted only when asked for). */
export type Credentials = Partial<Record<Credential, Record<string, string> | Record<string, string>[]>>;

/** GET /__bench/mix: one entry of the cases interleaved chunk by chunk. */
export interface MixResult {
  name: string;
  n: number;
  /** The mean over the middle 60% of the chunks (ranked by µs per operation): stalled chunks drop out. */
  usPerRequest: number;
  /** Plain total time / operations over every chunk. */
  usPerRequestAllChunks: number;
  statuses: Record<string, number>;
  d1StatementsPerRequest: number;
  d1RoundTripsPerRequest: number;
}

/** GET /__bench/outbound: this isolate's outbound fetches, by origin + path. */
export interface OutboundCounts {
  total: number;
  byUrl: Record<string, number>;
}
