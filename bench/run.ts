/**
 * npm run bench: the cost of authentication, against the bare route and against @hono/auth-js.
 *
 * One run, everything interleaved over OPTIONS.rounds rounds (cases round-robin, starting one
 * further each round), medians with min–max, of the cases declared in bench/cases.ts:
 *   1. inside the isolate (phase-isolate.ts): µs per request of app.fetch() in a loop in the bench
 *      Workers (worker.ts, peer-worker.ts), plus the parts on their own (verify, sign);
 *   2. over HTTP (phase-http.ts): autocannon on loopback through a workerd socket, Miniflare's
 *      server and `wrangler dev` (servers.ts);
 *   3. sign-in (phase-sign-in.ts) against the loopback OIDC server: the callback's server-side
 *      time and the Worker's outbound requests (discovery once per isolate);
 *   4. the production bundle (phase-bundle.ts), minified and gzip, and its startup CPU time
 *      (`wrangler check startup`);
 *   5. the revocation feed's cost (phase-feed.ts): polls of the real Durable Object through the
 *      binding, timed in the isolate, with the server's CPU time, each round;
 *   6. D1 throughput on a local D1 seeded with many sessions (phase-d1.ts: seeded after the
 *      build, measured after the other servers have stopped);
 * then a CPU profile of the fresh-cookie path (phase-profile.ts), and the report
 * (report-results.ts → bench/results.json, report-markdown.ts → bench/RESULTS.md).
 * Every server it starts runs in its own process group and is stopped by PID, also on failure or
 * Ctrl-C (processes.ts, over scripts/process-group.ts).
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_HTTP_SECONDS (2), BENCH_CONNECTIONS (10),
 * BENCH_ISOLATE_MS (2000: length of one in-isolate sample of the product's cases; 2 per round),
 * BENCH_SIGNINS (4 per round), BENCH_D1_SESSIONS (200000 sessions seeded for the D1 case; 1000000
 * for the scale study's size: about 40 s more seeding, 1 GB of temp disk), BENCH_D1_MS (1000 per operation per round).
 */
import os from 'node:os';
import { startOidcServer } from '../scripts/oidc-server.ts';
import { freePort } from '../scripts/process-group.ts';
import { measureProductionBundle, measureStartup } from './phase-bundle.ts';
import { d1Phase, seedD1 } from './phase-d1.ts';
import { feedPhase } from './phase-feed.ts';
import { httpPhase } from './phase-http.ts';
import { isolatePhase } from './phase-isolate.ts';
import { PROFILED_REQUESTS, profilePhase } from './phase-profile.ts';
import { signInPhase } from './phase-sign-in.ts';
import { withBenchRun } from './processes.ts';
import { renderSummary } from './report-analysis.ts';
import { writeReport } from './report-markdown.ts';
import { summarise } from './report-results.ts';
import { buildBenchWorkers, startServers } from './servers.ts';
import { OPTIONS, workerConfigs } from './settings.ts';

await withBenchRun(async (run) => {
  const load = run.loadStart.map((l) => l.toFixed(2)).join(' ');
  run.say(`machine: ${os.cpus().length} cores, load ${load}; temp dir ${run.tmp}`);
  if ((run.loadStart[0] ?? 0) > 0.5) {
    run.say('warning: the machine is not idle (1-minute load above 0.5): figures will be noisier and slower');
  }

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
  const seeded = await seedD1(run, built);
  run.say(`seeded in ${seeded.seconds.toFixed(0)} s (${(seeded.fileBytes / 1e6).toFixed(0)} MB)`);

  run.say('starting wrangler dev (main, peer) and Miniflare servers (main, peer)');
  const servers = await startServers(run, built);
  run.say('servers up');

  const isolate = isolatePhase(servers.targets);
  const http = httpPhase(servers.targets);
  const signIn = signInPhase(servers.targets);
  const feed = feedPhase(servers.targets['workerd-socket'].main.base, servers.directMainGroup);
  const timerCheck = await isolate.warmUp();
  await http.warmUp();
  const timer = `bare ${timerCheck.insideUs.toFixed(1)} µs inside, ${timerCheck.outsideUs.toFixed(1)} µs seen from outside`;
  run.say(`warmed up; timer check: ${timer}`);

  await signIn.reset();
  for (let round = 0; round < OPTIONS.rounds; round++) {
    run.say(`round ${round + 1}/${OPTIONS.rounds}: in the isolate (${OPTIONS.isolatePasses} passes)`);
    await isolate.round(round);
    await http.round(round, (message) => run.say(message));
    run.say(`round ${round + 1}/${OPTIONS.rounds}: sign-in`);
    await signIn.round();
    run.say(`round ${round + 1}/${OPTIONS.rounds}: revocation feed polls`);
    await feed.round();
  }
  const outbound = await signIn.outbound();
  // Stop the measured servers before profiling, so the profile runs on a quiet machine.
  await servers.stop();

  run.say('D1 throughput on the seeded local D1');
  const d1 = await d1Phase(run, built, seeded);

  run.say('profiling the fresh-cookie path and the bare route (V8 CPU profile through the inspector)');
  const profiles = await profilePhase(run, built);

  const results = summarise({
    started: run.started,
    loadStart: run.loadStart,
    ...isolate.samples,
    http: http.samples,
    signIns: signIn.samples,
    outbound,
    bundle,
    startup,
    feed: feed.samples,
    d1,
    timerCheck,
    profiles,
    profileN: PROFILED_REQUESTS,
  });
  await writeReport(run, results);
  run.say(`done in ${results.meta.durationSeconds.toFixed(0)} s: bench/RESULTS.md, bench/results.json`);
  console.log(renderSummary(results));
});
