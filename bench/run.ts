/** npm run bench (bench/README.md): every phase over BENCH_ROUNDS interleaved rounds, then the targets and the report. */
import os from 'node:os';
import { join } from 'node:path';
import { startOidcServer } from '../scripts/oidc-server.ts';
import { freePort, waitForHealth } from '../scripts/process-group.ts';
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
import { BENCH, OPTIONS, workerConfigs } from './settings.ts';

await withBenchRun(async (run) => {
  if (process.argv.includes('--report')) return writeResults(run, readResults(), false);
  const load = run.loadStart.map((l) => l.toFixed(2)).join(' ');
  run.say(
    `machine: ${os.cpus().length} cores, load ${load}${(run.loadStart[0] ?? 0) > 0.5 ? ' (not idle: noisier figures)' : ''}`,
  );

  // The OIDC server stands in for Google; the Workers get secrets generated for this run only.
  const oidc = await startOidcServer({ port: await freePort() });
  run.onCleanup(() => oidc.stop());
  // The origin behind the gate and the pass-through (bench/origin.ts), in its own process.
  const originPort = await freePort();
  const origin = run.start('origin', process.execPath, [join(BENCH, 'origin.ts'), String(originPort)]);
  const originUrl = `http://127.0.0.1:${originPort}`;
  await waitForHealth(`${originUrl}/health`, origin.child, { name: 'bench origin', logPath: origin.logPath });
  run.say('building the bench Workers and the production bundle; applying the D1 migrations');
  const [built, bundle] = await Promise.all([
    buildBenchWorkers(run, await workerConfigs(oidc.issuer, originUrl)),
    measureProductionBundle(run),
  ]);
  run.say(`wrangler check startup on the production bundle (${OPTIONS.startupRuns} runs)`);
  const startup = await measureStartup(run);
  run.say(`seeding a local D1 with ${OPTIONS.d1Sessions} sessions for the D1 throughput case`);
  const d1Dir = join(built.state, 'd1');
  const seeded = await seedD1(run, d1Dir, OPTIONS.d1Sessions);

  run.say('starting wrangler dev (main, peer) and Miniflare servers (main, peer)');
  const servers = await startServers(run, built);
  const isolate = isolatePhase(servers.targets);
  const http = httpPhase(servers.targets);
  const signIn = signInPhase(servers.targets);
  const feed = feedPhase(servers.targets['workerd-socket'].main.base, servers.directMainGroup);
  await isolate.warmUp();
  await http.warmUp();
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
    feed: feed.summary(),
    signIn: signIns,
    d1,
    bundle,
    startup,
  };
  const results = composeResults(run, parts);
  await writeResults(run, results);
  run.say(`done in ${results.meta.durationSeconds.toFixed(0)} s: bench/RESULTS.md, bench/results.json`);
  for (const t of results.targets) console.log(`  ${t.met ? 'met ' : 'MISS'}  ${t.target}: ${t.measured}`);
});
