/**
 * The report's figures: the raw samples of every phase summarised (medians with min–max, ratios
 * and overheads paired per sample), the targets checked, the profile reduced to the difference
 * between `bare` and `me-fresh`. This object is bench/results.json; RESULTS.md is rendered from it.
 */
import {
  CASE_NAMES,
  CASES,
  type CaseName,
  HTTP_CASE_NAMES,
  type MixResult,
  type OutboundCounts,
  PEER_BASELINE,
} from './cases.ts';
import type { BundleFigures } from './phase-bundle.ts';
import type { HttpSample } from './phase-http.ts';
import type { TimerCheck } from './phase-isolate.ts';
import type { ProfileSummary } from './phase-profile.ts';
import type { SignInSample } from './phase-sign-in.ts';
import { machine, versions } from './report-environment.ts';
import { HTTP_PATHS, type HttpPath, OPTIONS } from './settings.ts';
import { round, roundedStats } from './stats.ts';

export interface Samples {
  started: number;
  loadStart: number[];
  isolate: Record<CaseName, MixResult[]>;
  micro: Record<string, number[]>;
  http: Record<HttpPath, Record<CaseName, HttpSample[]>>;
  signIns: Record<string, SignInSample[]>;
  outbound: Record<string, OutboundCounts>;
  bundle: BundleFigures;
  timerCheck: TimerCheck;
  profiles: Partial<Record<string, ProfileSummary>>;
  profileN: number;
}

const TARGETS = {
  meFreshOverheadUs: 60,
  peerFactor: 6,
  httpRatio: 0.9,
  d1OnFresh: 0,
  // Issue 14's target: 90 KiB gzip (scripts/check-bundle.ts enforces the budget reached so far).
  bundleGzipKiB: 90,
};

export function summarise(input: Samples) {
  const us = (name: CaseName) => (input.isolate[name] ?? []).map((r) => r.usPerRequest);
  const paired = (name: CaseName, baseline: CaseName) => us(name).map((v, i) => v - (us(baseline)[i] ?? Number.NaN));

  const isolate = Object.fromEntries(
    CASE_NAMES.map((name) => {
      const isPeer = CASES[name].app === 'peer';
      return [
        name,
        {
          usPerRequest: roundedStats(us(name)),
          usPerRequestAllChunks: roundedStats((input.isolate[name] ?? []).map((r) => r.usPerRequestAllChunks)),
          overBareUs: roundedStats(paired(name, 'bare')),
          ...(isPeer ? { overPeerBareUs: roundedStats(paired(name, PEER_BASELINE)) } : {}),
          requests: (input.isolate[name] ?? []).reduce((a, r) => a + r.n, 0),
          d1StatementsPerRequest: round(
            Math.max(...(input.isolate[name] ?? []).map((r) => r.d1StatementsPerRequest)),
            3,
          ),
          d1RoundTripsPerRequest: round(
            Math.max(...(input.isolate[name] ?? []).map((r) => r.d1RoundTripsPerRequest)),
            3,
          ),
        },
      ];
    }),
  );
  const micro = Object.fromEntries(
    Object.entries(input.micro).map(([name, samples]) => [name, { usPerCall: roundedStats(samples, 2) }]),
  );

  const httpPath = (path: HttpPath) => {
    const samples = input.http[path];
    const bareRps = samples.bare.map((s) => s.rps);
    return Object.fromEntries(
      HTTP_CASE_NAMES.map((name) => {
        const s = samples[name];
        return [
          name,
          {
            rps: roundedStats(
              s.map((x) => x.rps),
              0,
            ),
            p50Ms: roundedStats(
              s.map((x) => x.p50),
              2,
            ),
            p99Ms: roundedStats(
              s.map((x) => x.p99),
              2,
            ),
            ratioToBare: roundedStats(
              s.map((x, i) => x.rps / (bareRps[i] ?? Number.NaN)),
              3,
            ),
            requests: s.reduce((a, x) => a + x.requests, 0),
          },
        ];
      }),
    );
  };
  const http = Object.fromEntries(HTTP_PATHS.map((path) => [path, httpPath(path)])) as Record<
    HttpPath,
    ReturnType<typeof httpPath>
  >;

  const signIn = Object.fromEntries(
    Object.entries(input.signIns).map(([name, samples]) => {
      const out = input.outbound[name] ?? { total: 0, byUrl: {} };
      const count = (suffix: string) =>
        Object.entries(out.byUrl)
          .filter(([url]) => url.endsWith(suffix))
          .reduce((a, [, n]) => a + n, 0);
      return [
        name,
        {
          signIns: samples.length,
          callbackServerMs: roundedStats(
            samples.map((s) => s.serverMs),
            2,
          ),
          callbackOutboundMs: roundedStats(
            samples.map((s) => s.outboundMs),
            2,
          ),
          callbackClientMs: roundedStats(
            samples.map((s) => s.clientMs),
            2,
          ),
          outbound: {
            total: out.total,
            discovery: count('/.well-known/openid-configuration'),
            token: count('/token'),
            jwks: count('/jwks'),
            userinfo: count('/userinfo'),
            perSignIn: round(out.total / Math.max(1, samples.length), 2),
            byUrl: out.byUrl,
          },
        },
      ];
    }),
  );

  const meFresh = isolate['me-fresh'];
  const peer = isolate['peer-hono-authjs'];
  const meOverhead = meFresh?.overBareUs.median ?? Number.NaN;
  const peerOverhead = peer?.overPeerBareUs?.median ?? Number.NaN;
  const gzipKB = input.bundle.gzipBytes / 1000;
  const targets = [
    {
      id: 'isolate-overhead',
      target: `me-fresh overhead over bare in the isolate ≤ ${TARGETS.meFreshOverheadUs} µs`,
      measured: `${meOverhead.toFixed(1)} µs`,
      met: meOverhead <= TARGETS.meFreshOverheadUs,
    },
    {
      id: 'peer-factor',
      target: `≥ ${TARGETS.peerFactor}× below @hono/auth-js (its overhead over its own bare route)`,
      measured: `${(peerOverhead / meOverhead).toFixed(1)}× (${peerOverhead.toFixed(1)} µs vs ${meOverhead.toFixed(1)} µs)`,
      met: peerOverhead / meOverhead >= TARGETS.peerFactor,
    },
    ...HTTP_PATHS.map((path) => {
      const ratio = http[path]['me-fresh']?.ratioToBare.median ?? Number.NaN;
      return {
        id: `http-${path}`,
        target: `me-fresh ≥ ${TARGETS.httpRatio}× bare over HTTP (${path})`,
        measured: `${ratio.toFixed(3)}×`,
        met: ratio >= TARGETS.httpRatio,
      };
    }),
    {
      id: 'd1-fresh',
      target: 'zero D1 queries on a fresh token (counted)',
      measured: `${isolate['me-fresh']?.d1RoundTripsPerRequest ?? '?'} round trips, ${isolate['me-fresh']?.d1StatementsPerRequest ?? '?'} statements per request`,
      met: isolate['me-fresh']?.d1RoundTripsPerRequest === 0 && isolate['me-fresh']?.d1StatementsPerRequest === 0,
    },
    {
      id: 'bundle',
      target: `production bundle ≤ ${TARGETS.bundleGzipKiB} KiB gzip`,
      measured: `${(input.bundle.gzipBytes / 1024).toFixed(1)} KiB gzip (${gzipKB.toFixed(1)} KB)`,
      met: input.bundle.gzipBytes / 1024 <= TARGETS.bundleGzipKiB,
    },
  ];

  // The profile: self time per request by source, me-fresh minus bare = where the auth time goes.
  const perRequest = (summary: ProfileSummary | undefined) =>
    new Map((summary?.sources ?? []).map((s) => [s.source, (s.selfMs * 1000) / input.profileN]));
  const bareProfile = perRequest(input.profiles.bare);
  const meProfile = perRequest(input.profiles['me-fresh']);
  const profileDelta = [...new Set([...bareProfile.keys(), ...meProfile.keys()])]
    .filter((s) => s !== '(idle)')
    .map((source) => ({
      source,
      bareUs: round(bareProfile.get(source) ?? 0, 2),
      meFreshUs: round(meProfile.get(source) ?? 0, 2),
      deltaUs: round((meProfile.get(source) ?? 0) - (bareProfile.get(source) ?? 0), 2),
    }))
    .sort((a, b) => b.deltaUs - a.deltaUs);

  return {
    meta: {
      date: new Date().toISOString(),
      durationSeconds: (Date.now() - input.started) / 1000,
      machine: machine(input.loadStart),
      versions: versions(),
      options: OPTIONS,
    },
    targets,
    timerCheck: {
      ...input.timerCheck,
      insideUs: Number(input.timerCheck.insideUs.toFixed(1)),
      outsideUs: Number(input.timerCheck.outsideUs.toFixed(1)),
    },
    isolate,
    micro,
    http,
    signIn,
    bundle: {
      ...input.bundle,
      packages: input.bundle.packages.slice(0, 12).map((p) => ({ ...p, share: round(p.share, 3) })),
    },
    profile: {
      requestsProfiled: input.profileN,
      note: 'V8 sampling profile (100 µs interval) of one in-isolate batch per case, on a separate Miniflare server with the inspector attached; self time per request by source. The profiler inflates everything, and with an inspector attached every console call is sent to it (as under wrangler dev), so the request log line (`log`) weighs far more here than without one; the difference between the two cases is what to read',
      deltaBySource: profileDelta.slice(0, 12),
      topFunctions: Object.fromEntries(
        Object.entries(input.profiles).map(([name, summary]) => [
          name,
          (summary?.functions ?? [])
            .filter((f) => f.name !== '(idle)')
            .slice(0, 15)
            .map((f) => ({
              name: f.name,
              source: f.source,
              usPerRequest: round((f.selfMs * 1000) / input.profileN, 2),
            })),
        ]),
      ),
    },
  };
}

export type Results = ReturnType<typeof summarise>;
