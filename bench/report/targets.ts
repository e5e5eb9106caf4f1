/** The targets checked against the measured figures: what each asks, what was measured, whether it is met. */
import type { measureProductionBundle, measureStartup } from '../phases/bundle.ts';
import type { D1Summary } from '../phases/d1-capacity.ts';
import type { feedPhase } from '../phases/feed.ts';
import type { httpPhase } from '../phases/http.ts';
import type { isolatePhase } from '../phases/isolate.ts';
import type { signInPhase } from '../phases/sign-in.ts';
import { HTTP_PATHS, type HttpPath } from '../settings.ts';

type Summary<Phase extends (...args: never[]) => { summary(): unknown }> = Awaited<
  ReturnType<ReturnType<Phase>['summary']>
>;
/** Every phase's summary. */
export type Parts = Summary<typeof isolatePhase> & {
  http: Summary<typeof httpPhase>;
  signIn: Summary<typeof signInPhase>;
  feed: Summary<typeof feedPhase>;
  d1: D1Summary;
  bundle: Awaited<ReturnType<typeof measureProductionBundle>>;
  startup: Awaited<ReturnType<typeof measureStartup>>;
};

const TARGETS = {
  httpRatio: 0.9,
  bareOverFloor: 1.5,
  activeSessions: 1e6,
  bundleGzipKiB: 90,
  overheadUs: 60,
  peerFactor: 6,
  /** The gate over a plain pass-through Worker to the same origin: µs in the isolate, throughput ratio over HTTP. */
  gateOverheadUs: 15,
  gateHttpRatio: 0.9,
};

/** `report`: a figure to report rather than a bound ("reported" when measured). */
export type Target = { id: string; target: string; measured: string; met: boolean; report?: boolean };

/** 1234567 → "1.23 M", 209000 → "209 k". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '?';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  return n >= 1e3 ? `${(n / 1e3).toFixed(0)} k` : n.toFixed(0);
}

/** A case's HTTP throughput as a ratio to its baseline's, paired per round (`me-fresh-db` to `bare`, the gate to the pass-through). */
function httpTarget(p: Parts, path: HttpPath, id: string, name: 'me-fresh-db' | 'gate', base: string, target: string) {
  const [c, b] = [p.http[path][name], p.http[path][base]];
  const ratio = (name === 'gate' ? c?.ratioToBaseline : c?.ratioToBare)?.median ?? Number.NaN;
  const bound = name === 'gate' ? TARGETS.gateHttpRatio : TARGETS.httpRatio;
  const measured = `${ratio.toFixed(3)}× (${c?.rps.median} vs ${b?.rps.median} req/s)`;
  return { id: `${id}-${path}`, target: `${target} over HTTP (${path})`, measured, met: ratio >= bound };
}

export function checkTargets(p: Parts): Target[] {
  const iso = p.isolate;
  const me = iso['me-fresh'].overBareUs.median;
  const peer = iso['peer-hono-authjs'].overPeerBareUs?.median ?? Number.NaN;
  const { refresh, 'refresh-slide': slide, 'me-fresh-db': meDb } = iso;
  const refreshMeta = p.d1.meta.refresh;
  const slideMeta = p.d1.meta['refresh-slide'];
  const capacity = p.d1.capacity;
  const gzipKiB = p.bundle.gzipBytes / 1024;
  const minute = p.feed?.perIsolatePerMinute;
  const snapshotCheck = p.micro['revocation-snapshot-check']?.usPerCall.median ?? Number.NaN;
  const gateUs = iso.gate.overBaselineUs?.median ?? Number.NaN;
  return [
    ...HTTP_PATHS.flatMap((path) => [
      httpTarget(p, path, 'http', 'me-fresh-db', 'bare', `\`GET /api/me\` ≥ ${TARGETS.httpRatio}× bare`),
      httpTarget(
        p,
        path,
        'gate-http',
        'gate',
        'gate-passthrough',
        `the gate ≥ ${TARGETS.gateHttpRatio}× a plain pass-through Worker to the same origin`,
      ),
    ]),
    {
      id: 'gate-isolate',
      target: `the gate's added time over a plain pass-through Worker in the isolate, fresh cookie ≤ ${TARGETS.gateOverheadUs} µs`,
      measured: `${gateUs.toFixed(1)} µs (${iso.gate.usPerRequest.median} vs ${iso['gate-passthrough'].usPerRequest.median} µs)`,
      met: gateUs <= TARGETS.gateOverheadUs,
    },
    {
      id: 'bare-floor',
      target: `the app's bare route vs an empty Hono route in the isolate ≤ ${TARGETS.bareOverFloor}×`,
      measured: `${p.bareOverFloor.median.toFixed(2)}× (${iso.bare.usPerRequest.median} vs ${iso.floor.usPerRequest.median} µs)`,
      met: p.bareOverFloor.median <= TARGETS.bareOverFloor,
    },
    {
      id: 'refresh-read',
      target: 'D1 work per refresh: one indexed read',
      measured: `\`refresh\` (no slide due): ${refresh.d1RoundTripsPerRequest} round trip, ${refresh.d1StatementsPerRequest} statement per refresh (counted); on the seeded D1: ${refreshMeta ? `${refreshMeta.rowsRead} rows read, ${refreshMeta.rowsWritten} written` : 'not measured'}`,
      met:
        refresh.d1RoundTripsPerRequest === 1 && refresh.d1StatementsPerRequest === 1 && refreshMeta?.rowsWritten === 0,
    },
    {
      id: 'refresh-slide',
      target: 'a write at most once per `SESSION_SLIDE_INTERVAL` per session',
      measured: `no write while the last slide is younger (above); \`refresh-slide\` (due): ${slide.d1RoundTripsPerRequest} round trips, ${slide.d1StatementsPerRequest} statements per refresh, ${slideMeta?.rowsWritten ?? '?'} row written`,
      met:
        refresh.d1StatementsPerRequest === 1 &&
        refreshMeta?.rowsWritten === 0 &&
        slide.d1RoundTripsPerRequest === 2 &&
        (slideMeta?.rowsWritten ?? 0) >= 1,
    },
    {
      id: 'active-sessions',
      target: `active sessions one D1 carries ≥ ${TARGETS.activeSessions / 1e6} M (derived: measured throughput × docs/scale.md's model, U = ${p.d1.model.utilisation})`,
      measured: `derived ${formatCount(capacity.fromThroughput.activeSessions)} (${p.d1.refreshPerSecond} refreshes/s on ${formatCount(p.d1.seeded.sessions)} seeded sessions; from D1's own SQL time: ${formatCount(capacity.fromSqlTime.activeSessions)})`,
      met: capacity.fromThroughput.activeSessions >= TARGETS.activeSessions,
    },
    {
      id: 'bundle',
      target: `production bundle ≤ ${TARGETS.bundleGzipKiB} KiB gzip, startup CPU reported`,
      measured: `${gzipKiB.toFixed(1)} KiB gzip (${(p.bundle.gzipBytes / 1000).toFixed(1)} KB); startup ${p.startup ? `${p.startup.activeMs.median.toFixed(1)} ms CPU (\`wrangler check startup\`, median of ${p.startup.samples.length})` : 'not measured'}`,
      met: gzipKiB <= TARGETS.bundleGzipKiB && p.startup !== undefined,
    },
    {
      id: 'isolate-overhead',
      target: `fresh-cookie overhead over bare in the isolate ≤ ${TARGETS.overheadUs} µs, with the revocation snapshot check on`,
      measured: `${me.toFixed(1)} µs (\`me-fresh\`; the snapshot check alone ${snapshotCheck.toFixed(2)} µs)`,
      met: me <= TARGETS.overheadUs,
    },
    {
      id: 'feed-cost',
      target: `revocation feed cost per isolate per minute (REVOCATION_POLL = ${p.feed?.pollSeconds ?? '?'} s), reported`,
      measured: minute
        ? `${minute.polls} polls: ${minute.wallMs.toFixed(1)} ms wall, ${minute.cpuMs.toFixed(1)} ms CPU (isolate + Durable Object); the Durable Object: ${minute.doRequests} requests, ${minute.doRowsRead} rows read, ${minute.doMs.toFixed(2)} ms`
        : 'not measured',
      met: minute !== undefined,
      report: true,
    },
    {
      id: 'd1-fresh',
      target: 'zero D1 queries on a fresh token (counted)',
      measured: `${meDb.d1RoundTripsPerRequest} round trips, ${meDb.d1StatementsPerRequest} statements per \`GET /api/me\``,
      met: meDb.d1RoundTripsPerRequest === 0 && meDb.d1StatementsPerRequest === 0,
    },
    {
      id: 'peer-factor',
      target: `≥ ${TARGETS.peerFactor}× below @hono/auth-js (its overhead over its own bare route)`,
      measured: `${(peer / me).toFixed(1)}× (${peer.toFixed(1)} µs vs ${me.toFixed(1)} µs)`,
      met: peer / me >= TARGETS.peerFactor,
    },
  ];
}
