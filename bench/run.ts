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
 *   4. the production bundle (phase-bundle.ts), minified and gzip;
 * then a CPU profile of the fresh-cookie path (phase-profile.ts), and the report
 * (report-results.ts → bench/results.json, report-markdown.ts → bench/RESULTS.md).
 * Every server it starts runs in its own process group and is stopped by PID, also on failure or
 * Ctrl-C (processes.ts, over scripts/process-group.ts).
 *
 * Knobs (environment): BENCH_ROUNDS (3), BENCH_HTTP_SECONDS (2), BENCH_CONNECTIONS (10),
 * BENCH_ISOLATE_MS (2000: length of one in-isolate sample of the product's cases; 2 per round),
 * BENCH_SIGNINS (4 per round).
 */
import os from 'node:os';
import { startOidcServer } from '../scripts/oidc-server.ts';
import { freePort } from '../scripts/process-group.ts';
import { measureProductionBundle } from './phase-bundle.ts';
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

  run.say('starting wrangler dev (main, peer) and Miniflare servers (main, peer)');
  const servers = await startServers(run, built);
  run.say('servers up');

  const isolate = isolatePhase(servers.targets);
  const http = httpPhase(servers.targets);
  const signIn = signInPhase(servers.targets);
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
  }
  const outbound = await signIn.outbound();
  // Stop the measured servers before profiling, so the profile runs on a quiet machine.
  await servers.stop();

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
    timerCheck,
    profiles,
    profileN: PROFILED_REQUESTS,
  });
  await writeReport(run, results);
  run.say(`done in ${results.meta.durationSeconds.toFixed(0)} s: bench/RESULTS.md, bench/results.json`);
  console.log(renderSummary(results));
});
