/**
 * Runs `node scripts/dev.ts` in a project copy (test/e2e/project-copy.ts) as a developer would,
 * with explicit ports and a minimal environment, and collects what it prints. Every process it
 * leads to carries a marker, so `cleanup` can stop any that is left (by PID) and the tests can
 * assert that none is.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { childEnv } from './child-env.ts';
import { marker, processesMarked } from './project-copy.ts';

export interface DevRun {
  child: ChildProcess;
  mark: Record<string, string>;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Resolves once the output contains `text`; rejects when the process exits first or after `timeoutMs`. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** SIGKILLs every marked process still alive (a failed test's leftovers). */
  cleanup(): void;
}

export function runDev(cwd: string, args: string[], env: Record<string, string> = {}): DevRun {
  const mark = marker();
  const child = spawn(process.execPath, ['scripts/dev.ts', ...args], {
    cwd,
    env: childEnv({ ...env, ...mark }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (chunk) => {
    text += chunk;
  });
  child.stderr.on('data', (chunk) => {
    text += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    mark,
    output: () => text,
    exited,
    async waitFor(wanted, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!text.includes(wanted)) {
        if (child.exitCode !== null) throw new Error(`dev.ts exited ${child.exitCode} before '${wanted}':\n${text}`);
        if (Date.now() > deadline) throw new Error(`no '${wanted}' within ${timeoutMs} ms:\n${text}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    cleanup() {
      for (const pid of processesMarked(mark)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    },
  };
}
