/** The runner's settings: its knobs (environment variables), where things are, and the bench Workers' config for a run. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateAuthSecret, generateSigningJwk } from '../scripts/secrets.ts';
import { GATED_ORIGIN } from './cases.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const BENCH = join(ROOT, 'bench');

const knob = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

export const OPTIONS = {
  rounds: Math.round(knob('BENCH_ROUNDS', 3)),
  httpSeconds: knob('BENCH_HTTP_SECONDS', 2),
  httpWarmupSeconds: 0.3,
  connections: Math.round(knob('BENCH_CONNECTIONS', 10)),
  /** In the isolate, per round: this many passes of each mix (the product's cases, the peer's, the parts), ms each. */
  isolatePasses: 2,
  mainMixMs: knob('BENCH_ISOLATE_MS', 2_000),
  peerMixMs: 1_000,
  microMixMs: 1_000,
  chunkMs: 20,
  signInsPerRound: Math.round(knob('BENCH_SIGNINS', 4)),
  /** Sessions seeded for the D1 case (over a fifth as many users; 1000000 is the scale study's size), ms per operation per round. */
  d1Sessions: Math.round(knob('BENCH_D1_SESSIONS', 200_000)),
  d1MsPerRun: Math.round(knob('BENCH_D1_MS', 1_000)),
  /** `wrangler check startup` runs on the production bundle (the median is reported). */
  startupRuns: 3,
};

/** The HTTP paths into the same Workers: a workerd socket bound straight to the Worker, Miniflare's server, `wrangler dev`. */
export const HTTP_PATHS = ['workerd-socket', 'miniflare', 'wrangler-dev'] as const;
export type HttpPath = (typeof HTTP_PATHS)[number];

export const API_ORIGIN = 'https://api.example.test';
export const D1_DATABASE_ID = '00000000-0000-0000-0000-000000000000';
export const COMPATIBILITY_DATE = /compatibility_date\s*=\s*"([^"]+)"/.exec(
  readFileSync(join(BENCH, 'wrangler.toml'), 'utf8'),
)?.[1] as string;
/** SESSION_TOKEN_TTL of the main bench Worker (the product's default): the model's T. */
export const SESSION_TOKEN_TTL_SECONDS = 600;

export type WorkerConfig = { vars: Record<string, string>; secrets: Record<string, string> };

/**
 * The two Workers' config for this run: fresh secrets, Google played by the OIDC server at `issuer`; the gate's
 * host forwarded to the loopback `origin` (bench/origin.ts), which the pass-through case forwards to as well.
 */
export async function workerConfigs(
  issuer: string,
  // The scale study never calls the gate: any loopback origin will do there.
  origin = 'http://127.0.0.1:9',
): Promise<{ main: WorkerConfig; peer: WorkerConfig }> {
  const google = { AUTH_URL: API_ORIGIN, AUTH_GOOGLE_ID: 'sitewide-bench', AUTH_GOOGLE_ISSUER: issuer };
  const secrets = { AUTH_SECRET: generateAuthSecret(), AUTH_GOOGLE_SECRET: 'bench-secret' };
  const cookies = { APP_URL: 'https://app.example.test/', COOKIE_DOMAIN: 'example.test' };
  const lifetimes = { SESSION_TOKEN_TTL: String(SESSION_TOKEN_TTL_SECONDS), ACCESS_TOKEN_TTL: '300' };
  const main = {
    ...{ ...cookies, ...lifetimes, ALLOWED_ORIGINS: 'https://app.example.test' },
    ...{ SESSION_MAX_AGE: '2592000', SESSION_ABSOLUTE_MAX_AGE: '7776000', BENCH_ORIGIN: origin },
    GATES: JSON.stringify({ [GATED_ORIGIN]: { origin } }),
  };
  return {
    main: {
      vars: { ...google, ...main },
      secrets: { ...secrets, SESSION_SIGNING_KEYS: JSON.stringify([await generateSigningJwk()]) },
    },
    peer: { vars: google, secrets },
  };
}
