/**
 * The runner's settings: its knobs (environment variables), where things are, and the config of
 * the two bench Workers (vars and secrets generated for the run).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateAuthSecret, generateSigningJwk } from '../scripts/secrets.ts';

export const ROOT = resolve(import.meta.dirname, '..');
export const BENCH = join(ROOT, 'bench');

const envNumber = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

export const OPTIONS = {
  rounds: Math.round(envNumber('BENCH_ROUNDS', 3)),
  httpSeconds: envNumber('BENCH_HTTP_SECONDS', 2),
  httpWarmupSeconds: 0.3,
  connections: Math.round(envNumber('BENCH_CONNECTIONS', 10)),
  /** In the isolate: per round, this many passes of each mix (the product's cases, the peer's, the parts). */
  isolatePasses: 2,
  mainMixMs: envNumber('BENCH_ISOLATE_MS', 2_000),
  peerMixMs: 1_000,
  microMixMs: 1_000,
  chunkMs: 20,
  signInsPerRound: Math.round(envNumber('BENCH_SIGNINS', 4)),
  /** The D1 throughput case: sessions seeded (over a fifth as many users); 1000000 is the full study's size. */
  d1Sessions: Math.round(envNumber('BENCH_D1_SESSIONS', 200_000)),
  /** …and how long each operation runs per round. */
  d1MsPerRun: Math.round(envNumber('BENCH_D1_MS', 1_000)),
  /** `wrangler check startup` runs on the production bundle (the median is reported). */
  startupRuns: 3,
};
export type Options = typeof OPTIONS;

/**
 * The HTTP paths into the same Workers: a workerd socket bound straight to the Worker (no
 * Miniflare entry Worker, no dev proxy: what `workerd serve` on the bundle does), Miniflare's own
 * server (its entry Worker in front), and `wrangler dev` (its dev proxy in front).
 */
export const HTTP_PATHS = ['workerd-socket', 'miniflare', 'wrangler-dev'] as const;
export type HttpPath = (typeof HTTP_PATHS)[number];

export const API_ORIGIN = 'https://api.example.test';
export const D1_DATABASE_ID = '00000000-0000-0000-0000-000000000000';
export const COMPATIBILITY_DATE = /compatibility_date\s*=\s*"([^"]+)"/.exec(
  readFileSync(join(BENCH, 'wrangler.toml'), 'utf8'),
)?.[1] as string;

/** SESSION_TOKEN_TTL of the main bench Worker (the product's default): the model's T. */
export const SESSION_TOKEN_TTL_SECONDS = 600;

export interface WorkerConfig {
  vars: Record<string, string>;
  secrets: Record<string, string>;
}

/** The two Workers' config for this run: fresh secrets, Google played by the loopback OIDC server at `issuer`. */
export async function workerConfigs(issuer: string): Promise<{ main: WorkerConfig; peer: WorkerConfig }> {
  const authSecret = generateAuthSecret();
  const signingKeys = JSON.stringify([await generateSigningJwk()]);
  return {
    main: {
      vars: {
        AUTH_URL: API_ORIGIN,
        APP_URL: 'https://app.example.test/',
        COOKIE_DOMAIN: 'example.test',
        ALLOWED_ORIGINS: 'https://app.example.test',
        AUTH_GOOGLE_ID: 'sitewide-bench',
        AUTH_GOOGLE_ISSUER: issuer,
        SESSION_TOKEN_TTL: String(SESSION_TOKEN_TTL_SECONDS),
        SESSION_MAX_AGE: '2592000',
        SESSION_ABSOLUTE_MAX_AGE: '7776000',
        ACCESS_TOKEN_TTL: '300',
      },
      secrets: { AUTH_SECRET: authSecret, AUTH_GOOGLE_SECRET: 'bench-secret', SESSION_SIGNING_KEYS: signingKeys },
    },
    peer: {
      vars: { AUTH_URL: API_ORIGIN, AUTH_GOOGLE_ID: 'sitewide-bench', AUTH_GOOGLE_ISSUER: issuer },
      secrets: { AUTH_SECRET: authSecret, AUTH_GOOGLE_SECRET: 'bench-secret' },
    },
  };
}
