/**
 * Child servers in their own process group, stopped by PID: the one implementation behind
 * `npm run dev` (scripts/dev.ts), the e2e harness (test/e2e/harness.ts) and the bench (bench/run.ts).
 *
 * A server is spawned detached, so it leads a new process group (wrangler and the workerd it
 * starts, Miniflare and its workerd); stopping it signals that group by the leader's PID,
 * SIGTERM and then SIGKILL after 5 s. Nothing is ever stopped by name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface GroupOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Append the leader's stdout and stderr to this file; without it they are this process's own. */
  logPath?: string;
  /** Hand stdout and stderr to the caller as pipes (child.stdout, child.stderr) instead. */
  pipe?: boolean;
}

/** Spawns `command` as the leader of a new process group (stdin closed). */
export function startGroup(command: string, args: string[], options: GroupOptions): ChildProcess {
  const out = options.pipe ? 'pipe' : options.logPath ? openSync(options.logPath, 'a') : 'inherit';
  try {
    return spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', out, out] });
  } finally {
    // The child has its own copy of the log file's descriptor.
    if (typeof out === 'number') closeSync(out);
  }
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Stops a process group by its leader's PID: SIGTERM, then SIGKILL after 5 s. Resolves once the leader exits. */
export function stopGroup(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (exited(child) || !child.pid) return resolve();
    const pid = child.pid;
    const kill = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      clearTimeout(kill);
      resolve();
    }
  });
}

/** GET on loopback; a self-signed certificate is accepted (the servers here use our own). */
function probe(url: string): Promise<{ status: number; body: string }> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const req = get(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

export interface WaitOptions {
  /** Named in the errors; default 'server'. */
  name?: string;
  timeoutMs?: number;
  /** The server's log: its tail is added to every error. */
  logPath?: string;
}

/**
 * Polls `url` until it answers 200, while `child` lives. Not listening yet: try again in 250 ms.
 * Any other status fails at once (e.g. `500 misconfigured`), as do the server's exit and the timeout.
 */
export async function waitForHealth(url: string, child: ChildProcess, options: WaitOptions = {}): Promise<void> {
  const { name = 'server', timeoutMs = 60_000, logPath } = options;
  const tail = () => (logPath ? `:\n${readFileSync(logPath, 'utf8').slice(-4000)}` : '');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child)) throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}${tail()}`);
    let answer: { status: number; body: string } | undefined;
    try {
      answer = await probe(url);
    } catch {
      await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    if (answer.status === 200) return;
    throw new Error(`${name}: ${url} answered ${answer.status}: ${answer.body.slice(0, 2000)}${tail()}`);
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs} ms${tail()}`);
}
