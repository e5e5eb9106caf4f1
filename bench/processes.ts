/** One bench run's lifetime: temp dir, logs, child process groups, and cleanups, undone on success, failure or Ctrl-C. */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { startGroup, stopGroup } from '../scripts/process-group.ts';
import { BENCH, ROOT } from './settings.ts';

const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

export class BenchRun {
  readonly started = Date.now();
  readonly loadStart = os.loadavg();
  readonly tmp = mkdtempSync(join(os.tmpdir(), 'sitewide-bench-'));
  readonly logs = join(this.tmp, 'logs');
  /** For every child: this project's wrangler and node first, no metrics, no local tracing. */
  readonly env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(ROOT, 'node_modules', '.bin')}:${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    ...{ CI: '1', WRANGLER_SEND_METRICS: 'false', X_LOCAL_OBSERVABILITY: 'false' },
  };
  /** Set once the run has succeeded: the temp dir then goes, logs included. */
  finished = false;
  private readonly children = new Set<ChildProcess>();
  private readonly cleanups: (() => void | Promise<void>)[] = [];

  constructor() {
    mkdirSync(this.logs);
    // wrangler dev bundles into bench/.wrangler (git-ignored): removed afterwards unless it was there already.
    const dotWrangler = join(BENCH, '.wrangler');
    const keepDotWrangler = existsSync(dotWrangler);
    this.onCleanup(() => {
      if (!keepDotWrangler) rmSync(dotWrangler, { recursive: true, force: true });
      if (this.finished) return rmSync(this.tmp, { recursive: true, force: true });
      // Keep the server logs for the post-mortem; drop everything else (the generated secrets too).
      for (const entry of readdirSync(this.tmp))
        if (entry !== 'logs') rmSync(join(this.tmp, entry), { recursive: true, force: true });
      console.error(`server logs kept in ${this.logs}`);
    });
  }

  say(message: string) {
    console.log(`[bench ${((Date.now() - this.started) / 1000).toFixed(0).padStart(3)} s] ${message}`);
  }

  /** Run after every server has stopped, last registered first. */
  onCleanup(cleanup: () => void | Promise<void>) {
    this.cleanups.push(cleanup);
  }

  /** Starts a server in its own process group, its output in logs/NAME.log. */
  start(name: string, command: string, args: string[]) {
    const logPath = join(this.logs, `${name}.log`);
    const child = startGroup(command, args, { cwd: ROOT, env: this.env, logPath });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return { child, logPath };
  }

  readonly startWrangler = (name: string, args: string[]) => this.start(name, process.execPath, [WRANGLER, ...args]);

  /** Runs a command to completion in its own process group: its output, or a rejection with it. */
  async run(name: string, command: string, args: string[]): Promise<string> {
    const { child, logPath } = this.start(name, command, args);
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    const output = readFileSync(logPath, 'utf8');
    if (code !== 0) throw new Error(`${name} failed (exit ${code}):\n${output.slice(-4000)}`);
    return output;
  }

  readonly wrangler = (name: string, args: string[]) => this.run(name, process.execPath, [WRANGLER, ...args]);

  readonly stop = stopGroup;

  async close() {
    await Promise.all([...this.children].map(stopGroup));
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
  }
}

/** Runs `body` with a BenchRun that is closed whatever happens; Ctrl-C stops every server first. */
export async function withBenchRun(body: (run: BenchRun) => Promise<void>) {
  const run = new BenchRun();
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`\n${signal}: stopping every server`);
    void run.close().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await body(run);
    run.finished = true;
  } catch (error) {
    process.exitCode = 1;
    console.error(error);
  } finally {
    await run.close();
  }
}
