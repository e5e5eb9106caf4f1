/**
 * The results of a run, as bench/results.json holds them: every phase's summary, the targets
 * checked against them, and what they were measured on.
 */
import type { BenchRun } from '../processes.ts';
import { OPTIONS } from '../settings.ts';
import { machine, versions } from './environment.ts';
import { checkTargets, type Parts } from './targets.ts';

export type Results = ReturnType<typeof composeResults>;

export function composeResults(run: BenchRun, parts: Parts) {
  const meta = {
    date: new Date().toISOString(),
    durationSeconds: (Date.now() - run.started) / 1000,
    machine: machine(run.loadStart),
    versions: versions(),
    options: OPTIONS,
  };
  return { meta, targets: checkTargets(parts), ...parts };
}
