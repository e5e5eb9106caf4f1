/**
 * The report's words: "Where we miss, and what limits us" (plain statements from the measured
 * figures: what misses, what limits it, what would close it) and the summary printed at the end
 * of a run.
 */
import type { Results } from './report-results.ts';
import { formatCount } from './report-results.ts';
import { HTTP_PATHS } from './settings.ts';
import { fmt } from './stats.ts';

/** The summary on the console: the targets, then every case's figures. */
export function renderSummary(r: Results): string {
  const lines = ['', 'Targets:'];
  for (const t of r.targets) lines.push(`  ${t.met ? 'met ' : 'MISS'}  ${t.target}: ${t.measured}`);
  lines.push('', 'In the isolate (µs per request, median (min–max); overhead over bare):');
  for (const [name, c] of Object.entries(r.isolate)) {
    lines.push(`  ${name.padEnd(18)} ${fmt(c.usPerRequest).padEnd(26)} +${fmt(c.overBareUs)}`);
  }
  for (const path of HTTP_PATHS) {
    lines.push('', `HTTP via ${path} (req/s, ratio to bare, p50/p99 ms):`);
    for (const [name, c] of Object.entries(r.http[path])) {
      lines.push(
        `  ${name.padEnd(18)} ${fmt(c.rps, 0).padEnd(22)} ${c.ratioToBare.median.toFixed(3)}×  ${c.p50Ms.median.toFixed(2)}/${c.p99Ms.median.toFixed(2)}`,
      );
    }
  }
  return lines.join('\n');
}

/** Plain statements from the measured figures: what misses, what limits it, what would close it. */
export function analysis(r: Results): string[] {
  const lines: string[] = [];
  const iso = r.isolate;
  const micro = (name: string) => r.micro[name]?.usPerCall.median ?? Number.NaN;
  const target = (id: string) => r.targets.find((t) => t.id === id);
  const me = iso['me-fresh']?.overBareUs.median ?? Number.NaN;
  const bare = iso.bare?.usPerRequest.median ?? Number.NaN;
  const floor = iso.floor?.usPerRequest.median ?? Number.NaN;
  const es256 = micro('verify-es256-webcrypto');
  const jose = micro('verify-jose');
  const hit = micro('verified-token-cache-hit');
  const logLine = micro('console-log-line');
  const topDelta = r.profile.deltaBySource[0];

  const overhead = target('isolate-overhead');
  if (overhead && !overhead.met) {
    lines.push(
      `- **In-isolate overhead: ${me.toFixed(1)} µs against 60 µs.** \`me-fresh\` verifies a token's signature once per isolate (the verified-token cache of src/session/token.ts): after a session's first request, authenticating it is a cache hit (${hit.toFixed(2)} µs on its own), so what is left is the protected path's plumbing: \`requireSession\`'s middleware layer, reading the cookie, \`c.set\`, \`csrfGuard\`. The profile shows where: the largest item of the difference between the two cases is ${topDelta ? `${topDelta.source} (${topDelta.deltaUs.toFixed(1)} µs per request under the profiler)` : 'not measured'}. The first request with a token in an isolate pays the full check on top: jose's \`jwtVerify\` with every option pinned costs ${jose.toFixed(1)} µs in a tight loop, of which Web Crypto's ECDSA P-256 verify is ${es256.toFixed(1)} µs on this CPU; Ed25519 (${micro('verify-ed25519-webcrypto').toFixed(1)} µs here) does not change that, and HMAC (${micro('verify-hs256-webcrypto').toFixed(1)} µs) would give up verification with public keys by other backends.`,
    );
  } else if (overhead) {
    lines.push(
      `- The fresh cookie costs ${me.toFixed(1)} µs over bare in the isolate (\`me-fresh\`), with the revocation snapshot check on (the check alone: ${micro('revocation-snapshot-check').toFixed(2)} µs), within the 60 µs target.`,
    );
  }
  const factor = target('peer-factor');
  if (factor && !factor.met) {
    lines.push(
      `- **Versus @hono/auth-js: ${factor.measured}.** The peer's cost is Auth.js's own (a full \`Auth()\` session request per call: JWE decrypt, re-encrypt and Set-Cookie).`,
    );
  }
  const meDb = iso['me-fresh-db']?.overBareUs.median ?? Number.NaN;
  const http = HTTP_PATHS.map((path) => ({ path, t: target(`http-${path}`) })).filter((x) => x.t && !x.t.met);
  if (http.length) {
    const parts = http.map(({ path }) => {
      const c = r.http[path];
      const perRequestUs = 1e6 / (c.bare?.rps.median ?? Number.NaN);
      const predicted = perRequestUs / (perRequestUs + meDb);
      return `${path} ${fmt(c['me-fresh-db']?.ratioToBare, 3)}× over the rounds, where the in-isolate cost predicts ${predicted.toFixed(3)}× (bare ${c.bare?.rps.median.toFixed(0)} req/s, i.e. ${perRequestUs.toFixed(0)} µs of machine time per request at saturation, plus ${meDb.toFixed(1)} µs)`;
    });
    lines.push(
      `- **Over HTTP, \`GET /api/me\` against bare: ${parts.join('; ')}.** At saturation requests/s is about the inverse of the per-request cost along the path, so the ratio should be about (cost of bare) / (cost of bare + the route's ${meDb.toFixed(1)} µs in the isolate, section 1). A measured ratio well under that prediction is not the route's own cost: it is the load generator, the proxies and the other work on the 2 cores (see the load average) landing unevenly on the 2 s samples, which the spread over the rounds shows. On the miniflare and wrangler-dev paths, Miniflare's entry Worker and the dev proxy add the same cost to both cases; the workerd socket is the strictest path. Closing it: a quiet machine and longer samples (\`BENCH_HTTP_SECONDS\`, \`BENCH_ROUNDS\`), and a cheaper route (the global middleware: next item).`,
    );
  }
  const bareFloor = target('bare-floor');
  if (bareFloor && !bareFloor.met) {
    lines.push(
      `- **The bare route against an empty Hono route: ${bareFloor.measured}.** The product's global middleware (everything \`createApp()\` runs on every route; the profile of \`bare\` above shows where: Response and header work, Hono's dispatch) costs ${(bare - floor).toFixed(0)} µs per request over a bare \`new Hono()\` route (${floor.toFixed(1)} µs); 1.5× allows ${(floor * 0.5).toFixed(0)} µs. One \`console.log\` of a request line costs ${logLine.toFixed(1)} µs in workerd here (locally it is written to a pipe). Every HTTP ratio above is measured against this heavier bare route.`,
    );
  } else if (!Number.isNaN(floor) && !Number.isNaN(bare)) {
    lines.push(
      `- The bare route costs ${(bare - floor).toFixed(0)} µs over an empty Hono route (${floor.toFixed(1)} µs): ${bareFloor?.measured ?? ''}, within 1.5×.`,
    );
  }
  for (const id of ['refresh-read', 'refresh-slide']) {
    const t = target(id);
    if (t && !t.met)
      lines.push(`- **${t.target}: ${t.measured}.** A refresh must read once and write only when a slide is due.`);
  }
  const capacity = target('active-sessions');
  if (capacity && !capacity.met) {
    const d = r.d1;
    const tp = d.capacity.fromThroughput;
    const sql = d.meta.refresh?.sqlDurationMs ?? Number.NaN;
    lines.push(
      `- **Active sessions on one D1 (derived): ${capacity.measured}.** The model is dominated by the refresh read (${(tp.refreshShare * 100).toFixed(0)}% of the D1 time): ${d.capacity.fromThroughput.secondsPerOp.refresh} ms per refresh measured end to end here, of which D1 reports ${sql.toFixed(2)} ms of SQL; the rest is the Worker's JavaScript (drizzle building the statement and mapping the row) and Miniflare's RPC to its local D1 object, on the same 2 busy cores — time a production D1 does not spend on the database's single thread. The same model on D1's own SQL time gives ${formatCount(d.capacity.fromSqlTime.activeSessions)}; which one production matches is only known from production metrics (D1 analytics' query time). What closes it whatever the per-query time: read replicas (refresh reads through \`withSession\` leave the primary only the writes: docs/SCALE.md section 5), and sessions split across databases (\`SESSION_DBS\`, a hash per user), each database carrying its share.`,
    );
  }
  const d1 = target('d1-fresh');
  if (d1 && !d1.met) lines.push(`- **D1 on a fresh token: ${d1.measured}.** The fresh path must not touch D1.`);
  const bundle = target('bundle');
  if (bundle && !bundle.met) {
    const top = r.bundle.packages
      .slice(0, 6)
      .map((p) => `${p.source} ${(p.bytes / 1000).toFixed(0)} KB`)
      .join(', ');
    lines.push(
      `- **Bundle: ${bundle.measured}, against the 90 KiB target.** The largest contributors (minified): ${top}. The Public Suffix List is checked at deploy time (\`npm run deploy\` runs \`npm run doctor\`), not shipped; Auth.js's preact pages and jose's general JWE are aliased out (wrangler.toml \`[alias]\`) and names are not kept (\`keep_names = false\`): README "Bundle". Auth.js core with oauth4webapi serves only /auth/*; drizzle-orm builds every D1 statement (src/db, src/users) and pulls part of pg-core; src carries config messages and the OpenAPI descriptions. What would close the rest: the OpenAPI document built at deploy time and served as a static asset (measured −2.2 KiB), fewer drizzle query builders; below that, dropping a feature.`,
    );
  }
  if (lines.length === 0) lines.push('Every target is met in this run.');
  return lines;
}
