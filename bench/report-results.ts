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
import type { BundleFigures, StartupRun } from './phase-bundle.ts';
import { D1_CASES, type D1CaseName, type D1Meta, type D1Samples } from './phase-d1.ts';
import type { FeedSample } from './phase-feed.ts';
import type { HttpSample } from './phase-http.ts';
import type { TimerCheck } from './phase-isolate.ts';
import type { ProfileSummary } from './phase-profile.ts';
import type { SignInSample } from './phase-sign-in.ts';
import { machine, versions } from './report-environment.ts';
import { HTTP_PATHS, type HttpPath, OPTIONS, SESSION_TOKEN_TTL_SECONDS } from './settings.ts';
import { round, roundedStats, stats } from './stats.ts';

export interface Samples {
  started: number;
  loadStart: number[];
  isolate: Record<CaseName, MixResult[]>;
  micro: Record<string, number[]>;
  http: Record<HttpPath, Record<CaseName, HttpSample[]>>;
  signIns: Record<string, SignInSample[]>;
  outbound: Record<string, OutboundCounts>;
  bundle: BundleFigures;
  /** `wrangler check startup` runs; undefined when the command is missing or failed. */
  startup: StartupRun[] | undefined;
  feed: FeedSample[];
  d1: D1Samples;
  timerCheck: TimerCheck;
  profiles: Partial<Record<string, ProfileSummary>>;
  profileN: number;
}

const TARGETS = {
  meFreshOverheadUs: 60,
  peerFactor: 6,
  httpRatio: 0.9,
  d1OnFresh: 0,
  /** Issue 14: the app's bare route against an empty Hono route, in the isolate. */
  bareOverFloor: 1.5,
  /** Issue 14: active sessions one D1 database carries. */
  activeSessions: 1_000_000,
  // Issue 14's target: 90 KiB gzip (scripts/check-bundle.ts enforces the budget reached so far).
  bundleGzipKiB: 90,
};

/**
 * docs/SCALE.md's model of D1 load (section 4): D1 time per second per active session
 * w = t_r/T + t_s/I + g·t_i/86400 + v·t_v/86400, and one database carries U / w active sessions.
 */
export const SCALE_MODEL = {
  /** SESSION_SLIDE_INTERVAL default (s): at most one slide per session per day. */
  slideIntervalSeconds: 86_400,
  /** Sign-ins and revocations per active session per day (assumed: one a month each). */
  signInsPerDay: 1 / 30,
  revocationsPerDay: 1 / 30,
  /** Utilisation allowed one database: 2× headroom. */
  utilisation: 0.5,
} as const;

/** Active sessions one database carries, from per-operation D1 times in seconds (docs/SCALE.md section 4). */
export function activeSessionsPerDb(
  t: { refresh: number; slide: number; signIn: number; revoke: number },
  tokenTtlSeconds: number,
  utilisation: number = SCALE_MODEL.utilisation,
) {
  const w =
    t.refresh / tokenTtlSeconds +
    t.slide / SCALE_MODEL.slideIntervalSeconds +
    (SCALE_MODEL.signInsPerDay * t.signIn) / 86_400 +
    (SCALE_MODEL.revocationsPerDay * t.revoke) / 86_400;
  return { wMicroseconds: w * 1e6, activeSessions: utilisation / w, refreshShare: t.refresh / tokenTtlSeconds / w };
}

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

  const startup = input.startup?.length
    ? {
        activeMs: roundedStats(
          input.startup.map((r) => r.activeMs),
          1,
        ),
        gcMs: roundedStats(
          input.startup.map((r) => r.gcMs),
          1,
        ),
        samples: input.startup.map((r) => r.samples),
        profileWindowMs: input.startup.map((r) => r.profileWindowMs),
        bundle: input.startup[0]?.bundle ?? '',
      }
    : undefined;

  const feed = summariseFeed(input.feed);
  const d1 = summariseD1(input.d1);

  const meFresh = isolate['me-fresh'];
  const peer = isolate['peer-hono-authjs'];
  const meOverhead = meFresh?.overBareUs.median ?? Number.NaN;
  const peerOverhead = peer?.overPeerBareUs?.median ?? Number.NaN;
  const gzipKB = input.bundle.gzipBytes / 1000;
  const ratioSamples = (name: CaseName, baseline: CaseName) =>
    us(name).map((v, i) => v / (us(baseline)[i] ?? Number.NaN));
  const bareOverFloor = roundedStats(ratioSamples('bare', 'floor'), 2);
  const refresh = isolate.refresh;
  const slide = isolate['refresh-slide'];
  const refreshMeta = d1.meta.refresh;
  const slideMeta = d1.meta['refresh-slide'];
  const capacity = d1.capacity.fromThroughput;
  const perMinute = feed?.perIsolatePerMinute;
  const targets: Target[] = [
    ...HTTP_PATHS.map((path) => {
      const ratio = http[path]['me-fresh-db']?.ratioToBare.median ?? Number.NaN;
      return {
        id: `http-${path}`,
        target: `\`GET /api/me\` ≥ ${TARGETS.httpRatio}× bare over HTTP (${path})`,
        measured: `${ratio.toFixed(3)}× (${http[path]['me-fresh-db']?.rps.median} vs ${http[path].bare?.rps.median} req/s)`,
        met: ratio >= TARGETS.httpRatio,
      };
    }),
    {
      id: 'bare-floor',
      target: `the app's bare route vs an empty Hono route in the isolate ≤ ${TARGETS.bareOverFloor}×`,
      measured: `${bareOverFloor.median.toFixed(2)}× (${isolate.bare?.usPerRequest.median} vs ${isolate.floor?.usPerRequest.median} µs)`,
      met: bareOverFloor.median <= TARGETS.bareOverFloor,
    },
    {
      id: 'refresh-read',
      target: 'D1 work per refresh: one indexed read',
      measured: `\`refresh\` (no slide due): ${refresh?.d1RoundTripsPerRequest} round trip, ${refresh?.d1StatementsPerRequest} statement per refresh (counted); on the seeded D1: ${refreshMeta ? `${round(refreshMeta.rowsRead, 1)} rows read, ${round(refreshMeta.rowsWritten, 2)} written` : 'not measured'}`,
      met:
        refresh?.d1RoundTripsPerRequest === 1 &&
        refresh?.d1StatementsPerRequest === 1 &&
        (refreshMeta?.rowsWritten ?? 1) === 0,
    },
    {
      id: 'refresh-slide',
      target: 'a write at most once per `SESSION_SLIDE_INTERVAL` per session',
      measured: `no write while the last slide is younger (above); \`refresh-slide\` (due): ${slide?.d1RoundTripsPerRequest} round trips, ${slide?.d1StatementsPerRequest} statements per refresh${slideMeta ? `, ${round(slideMeta.rowsWritten, 2)} row written` : ''}`,
      met:
        refresh?.d1StatementsPerRequest === 1 &&
        slide?.d1RoundTripsPerRequest === 2 &&
        (refreshMeta?.rowsWritten ?? 1) === 0 &&
        (slideMeta?.rowsWritten ?? 0) >= 1,
    },
    {
      id: 'active-sessions',
      target: `active sessions one D1 carries ≥ ${(TARGETS.activeSessions / 1e6).toFixed(0)} M (derived: measured throughput × docs/SCALE.md's model, U = ${SCALE_MODEL.utilisation})`,
      measured: `derived ${formatCount(capacity.activeSessions)} (${d1.refreshPerSecond.toFixed(0)} refreshes/s on ${formatCount(d1.seeded.sessions)} seeded sessions; from D1's own SQL time: ${formatCount(d1.capacity.fromSqlTime.activeSessions)})`,
      met: capacity.activeSessions >= TARGETS.activeSessions,
    },
    {
      id: 'bundle',
      target: `production bundle ≤ ${TARGETS.bundleGzipKiB} KiB gzip, startup CPU reported`,
      measured: `${(input.bundle.gzipBytes / 1024).toFixed(1)} KiB gzip (${gzipKB.toFixed(1)} KB); startup ${startup ? `${startup.activeMs.median.toFixed(1)} ms CPU (\`wrangler check startup\`, median of ${startup.samples.length})` : 'not measured (`wrangler check startup` failed)'}`,
      met: input.bundle.gzipBytes / 1024 <= TARGETS.bundleGzipKiB && startup !== undefined,
    },
    {
      id: 'isolate-overhead',
      target: `fresh-cookie overhead over bare in the isolate ≤ ${TARGETS.meFreshOverheadUs} µs, with the revocation snapshot check on`,
      measured: `${meOverhead.toFixed(1)} µs (\`me-fresh\`; the snapshot check alone ${micro['revocation-snapshot-check']?.usPerCall.median.toFixed(2) ?? '?'} µs)`,
      met: meOverhead <= TARGETS.meFreshOverheadUs,
    },
    {
      id: 'feed-cost',
      target: 'revocation feed cost per isolate per minute (REVOCATION_POLL = 5 s), reported',
      measured: perMinute
        ? `${perMinute.polls} polls: ${perMinute.wallMs.toFixed(1)} ms wall, ${perMinute.cpuMs.toFixed(1)} ms CPU (isolate + Durable Object); the Durable Object: ${perMinute.polls} requests, ${perMinute.doRowsRead} rows read, ${perMinute.doMs.toFixed(2)} ms`
        : 'not measured',
      met: perMinute !== undefined,
      report: true,
    },
    {
      id: 'd1-fresh',
      target: 'zero D1 queries on a fresh token (counted)',
      measured: `${isolate['me-fresh-db']?.d1RoundTripsPerRequest ?? '?'} round trips, ${isolate['me-fresh-db']?.d1StatementsPerRequest ?? '?'} statements per \`GET /api/me\``,
      met: isolate['me-fresh-db']?.d1RoundTripsPerRequest === 0 && isolate['me-fresh-db']?.d1StatementsPerRequest === 0,
    },
    {
      id: 'peer-factor',
      target: `≥ ${TARGETS.peerFactor}× below @hono/auth-js (its overhead over its own bare route)`,
      measured: `${(peerOverhead / meOverhead).toFixed(1)}× (${peerOverhead.toFixed(1)} µs vs ${meOverhead.toFixed(1)} µs)`,
      met: peerOverhead / meOverhead >= TARGETS.peerFactor,
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
    startup,
    feed,
    d1,
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

export interface Target {
  id: string;
  target: string;
  measured: string;
  met: boolean;
  /** A figure to report rather than a bound: shown as "reported" when measured. */
  report?: boolean;
}

/** 1234567 → "1.23 M", 209000 → "209 k". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(0)} k`;
  return n.toFixed(0);
}

/** The feed's polls: per poll (isolate wall, server CPU, the Durable Object's side), and one isolate's minute. */
function summariseFeed(samples: FeedSample[]) {
  if (samples.length === 0) return undefined;
  const pick = (f: (s: FeedSample) => number, digits = 1) => roundedStats(samples.map(f), digits);
  const pollSeconds = samples[0]?.steady.pollSeconds ?? 5;
  const steady = {
    usPerPoll: pick((s) => s.steady.usPerPoll),
    cpuUsPerPoll: pick((s) => s.steady.cpuUsPerPoll),
    p99Ms: pick((s) => s.steady.p99Ms, 2),
    answerBytes: samples[0]?.steady.answerBytes ?? 0,
    doUsPerCall: pick((s) => s.side.steady.usPerCall, 2),
    doRowsReadPerCall: pick((s) => s.side.steady.rowsReadPerCall, 1),
    polls: samples[0]?.steady.n ?? 0,
  };
  const page = {
    usPerPoll: pick((s) => s.page.usPerPoll),
    cpuUsPerPoll: pick((s) => s.page.cpuUsPerPoll),
    p99Ms: pick((s) => s.page.p99Ms, 2),
    answerBytes: samples[0]?.page.answerBytes ?? 0,
    entries: samples[0]?.page.entries ?? 0,
    doUsPerCall: pick((s) => s.side.page.usPerCall, 1),
    doRowsReadPerCall: pick((s) => s.side.page.rowsReadPerCall, 1),
    polls: samples[0]?.page.n ?? 0,
  };
  const polls = Math.round(60 / pollSeconds);
  return {
    pollSeconds,
    idleCpuMsPerSecond: pick((s) => s.idleCpuMsPerSecond, 2),
    steady,
    page,
    /** One isolate polling every REVOCATION_POLL for a minute, in the steady state (nothing new). */
    perIsolatePerMinute: {
      polls,
      wallMs: round((polls * steady.usPerPoll.median) / 1000, 2),
      cpuMs: round((polls * steady.cpuUsPerPoll.median) / 1000, 2),
      doRequests: polls,
      doRowsRead: round(polls * steady.doRowsReadPerCall.median, 1),
      doMs: round((polls * steady.doUsPerCall.median) / 1000, 3),
    },
  };
}

/** The D1 case: throughput per operation and client count, D1's meta, and the capacity the model derives. */
function summariseD1(d1: D1Samples) {
  const cases = Object.fromEntries(
    (Object.keys(D1_CASES) as D1CaseName[]).map((op) => [
      op,
      Object.fromEntries(
        D1_CASES[op].clients.map((clients) => {
          const runs = d1.runs.filter((r) => r.op === op && r.clients === clients);
          return [
            clients,
            {
              perSecond: roundedStats(
                runs.map((r) => r.perSecond),
                0,
              ),
              p50Ms: roundedStats(
                runs.map((r) => r.p50),
                2,
              ),
              p99Ms: roundedStats(
                runs.map((r) => r.p99),
                2,
              ),
              ops: runs.reduce((a, r) => a + r.ops, 0),
            },
          ];
        }),
      ),
    ]),
  ) as Record<
    D1CaseName,
    Record<
      string,
      {
        perSecond: ReturnType<typeof roundedStats>;
        p50Ms: ReturnType<typeof roundedStats>;
        p99Ms: ReturnType<typeof roundedStats>;
        ops: number;
      }
    >
  >;
  /** The best median rate of an operation over its client counts (what the database was seen to sustain). */
  const best = (op: D1CaseName) => Math.max(...Object.values(cases[op]).map((c) => c.perSecond.median));
  const refreshPerSecond = best('refresh');
  const seconds = {
    refresh: 1 / refreshPerSecond,
    // The slide's own part: a refresh with a slide less one without.
    slide: Math.max(0, 1 / best('refresh-slide') - 1 / refreshPerSecond),
    signIn: 1 / best('signin'),
    revoke: 1 / best('revoke'),
  };
  // D1's meta per operation: the median of each field over the rounds' passes.
  const meta = Object.fromEntries(
    Object.entries(d1.meta).map(([op, passes]) => {
      const fields = Object.keys(passes?.[0] ?? {}) as (keyof D1Meta)[];
      return [op, Object.fromEntries(fields.map((k) => [k, stats((passes ?? []).map((m) => m[k])).median]))];
    }),
  ) as Partial<Record<D1CaseName, D1Meta>>;
  const sqlSeconds = {
    refresh: (meta.refresh?.sqlDurationMs ?? Number.NaN) / 1000,
    slide: Math.max(
      0,
      ((meta['refresh-slide']?.sqlDurationMs ?? Number.NaN) - (meta.refresh?.sqlDurationMs ?? 0)) / 1000,
    ),
    signIn: (meta.signin?.sqlDurationMs ?? Number.NaN) / 1000,
    revoke: (meta.revoke?.sqlDurationMs ?? Number.NaN) / 1000,
  };
  const ttl = SESSION_TOKEN_TTL_SECONDS;
  const model = (t: typeof seconds) => {
    const half = activeSessionsPerDb(t, ttl);
    return {
      secondsPerOp: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(v * 1000, 3)])),
      wMicroseconds: round(half.wMicroseconds, 3),
      refreshShare: round(half.refreshShare, 3),
      activeSessions: Math.round(half.activeSessions),
      activeSessionsAtFullUse: Math.round(activeSessionsPerDb(t, ttl, 1).activeSessions),
    };
  };
  return {
    seeded: d1.seeded,
    prepared: d1.prepared,
    msPerRun: d1.msPerRun,
    seconds: round(d1.seconds, 1),
    cases,
    meta: Object.fromEntries(
      Object.entries(meta).map(([op, m]) => [
        op,
        Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, round(v as number, 3)])),
      ]),
    ) as Partial<Record<D1CaseName, D1Meta>>,
    refreshPerSecond: round(refreshPerSecond, 0),
    apiMePerSecond: round(best('api-me'), 0),
    tokenTtlSeconds: ttl,
    model: SCALE_MODEL,
    capacity: { fromThroughput: model(seconds), fromSqlTime: model(sqlSeconds) },
  };
}
