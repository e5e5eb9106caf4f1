/**
 * npm run bench: the cost of authentication, against the bare route and against @hono/auth-js.
 *
 * One run, every case of bench/cases.ts, interleaved over OPTIONS.rounds rounds (cases
 * round-robin, starting one further each round), medians with min–max, ratios and overheads
 * against a baseline measured in the same run. The phases (bench/phases/):
 *   isolate   µs per request of the app's fetch() in a loop inside the bench Workers
 *             (bench/workers/), and the parts of the fresh-cookie path on their own;
 *   http      autocannon on loopback through a workerd socket, Miniflare's server, `wrangler dev`;
 *   sign-in   the whole flow against the loopback OIDC server: callback time, outbound requests;
 *   bundle    the production bundle, minified and gzip, and its startup CPU time;
 *   feed      the revocation feed's polls, timed in the isolate, with the server's CPU time;
 *   d1        D1 throughput on a local D1 seeded with many sessions (after the other servers stop);
 * then the targets checked (bench/report/) → bench/results.json and bench/RESULTS.md.
 * Every server runs in its own process group, stopped by PID also on failure or Ctrl-C.
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_HTTP_SECONDS (2), BENCH_CONNECTIONS (10),
 * BENCH_ISOLATE_MS (2000: one in-isolate sample of the product's cases; 2 per round),
 * BENCH_SIGNINS (4 per round), BENCH_D1_SESSIONS (200000; 1000000 is the scale study's size: about
 * 40 s more seeding, 1 GB of temp disk), BENCH_D1_MS (1000 per operation per round).
 * `node bench/run.ts --report` only renders bench/RESULTS.md again from bench/results.json.
 */
import os from 'node:os';
import { join } from 'node:path';
import { startOidcServer } from '../scripts/oidc-server.ts';
import { freePort } from '../scripts/process-group.ts';
import { measureProductionBundle, measureStartup } from './phases/bundle.ts';
import { d1Phase, seedD1 } from './phases/d1.ts';
import { feedPhase } from './phases/feed.ts';
import { httpPhase } from './phases/http.ts';
import { isolatePhase } from './phases/isolate.ts';
import { signInPhase } from './phases/sign-in.ts';
import { withBenchRun } from './processes.ts';
import { readResults, writeResults } from './report/markdown.ts';
import { composeResults } from './report/results.ts';
import { buildBenchWorkers, startServers } from './servers.ts';
import { OPTIONS, workerConfigs } from './settings.ts';

await withBenchRun(async (run) => {
  if (process.argv.includes('--report')) return writeResults(run, readResults(), false);
  run.say(
    `machine: ${os.cpus().length} cores, load ${run.loadStart.map((l) => l.toFixed(2)).join(' ')}; temp dir ${run.tmp}`,
  );
  if ((run.loadStart[0] ?? 0) > 0.5)
    run.say('warning: the machine is not idle (1-minute load above 0.5): figures will be noisier');

  // The OIDC server stands in for Google; the Workers get secrets generated for this run only.
  const oidc = await startOidcServer({ port: await freePort() });
  run.onCleanup(() => oidc.stop());
  run.say('building the bench Workers and the production bundle; applying the D1 migrations');
  const [built, bundle] = await Promise.all([
    buildBenchWorkers(run, await workerConfigs(oidc.issuer)),
    measureProductionBundle(run),
  ]);
  run.say(`wrangler check startup on the production bundle (${OPTIONS.startupRuns} runs)`);
  const startup = await measureStartup(run);
  run.say(`seeding a local D1 with ${OPTIONS.d1Sessions} sessions for the D1 throughput case`);
  const d1Dir = join(built.state, 'd1');
  const seeded = await seedD1(run, d1Dir, OPTIONS.d1Sessions, Math.max(1, Math.round(OPTIONS.d1Sessions / 5)));

  run.say('starting wrangler dev (main, peer) and Miniflare servers (main, peer)');
  const servers = await startServers(run, built);
  const isolate = isolatePhase(servers.targets);
  const http = httpPhase(servers.targets);
  const signIn = signInPhase(servers.targets);
  const feed = feedPhase(servers.targets['workerd-socket'].main.base, servers.directMainGroup);
  const timer = await isolate.warmUp();
  await http.warmUp();
  run.say(`warmed up; timer check: bare ${timer.insideUs} µs inside, ${timer.outsideUs} µs seen from outside`);
  await signIn.reset();
  for (let round = 0; round < OPTIONS.rounds; round++) {
    const say = (what: string) => run.say(`round ${round + 1}/${OPTIONS.rounds}: ${what}`);
    say(`in the isolate (${OPTIONS.isolatePasses} passes)`);
    await isolate.round(round);
    await http.round(round, (message) => run.say(message));
    say('sign-in');
    await signIn.round();
    say('revocation feed polls');
    await feed.round();
  }
  const signIns = await signIn.summary();
  await servers.stop();
  run.say('D1 throughput on the seeded local D1');
  const d1 = await d1Phase(run, built, d1Dir, seeded);

  const parts = {
    ...isolate.summary(),
    http: http.summary(),
    signIn: signIns,
    feed: feed.summary(),
    d1,
    bundle,
    startup,
  };
  const results = composeResults(run, parts);
  await writeResults(run, results);
  run.say(`done in ${results.meta.durationSeconds.toFixed(0)} s: bench/RESULTS.md, bench/results.json`);
  for (const t of results.targets) console.log(`  ${t.met ? 'met ' : 'MISS'}  ${t.target}: ${t.measured}`);
});
