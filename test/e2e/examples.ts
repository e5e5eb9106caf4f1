/**
 * The Express and Hono examples started the way their README says: `npm start` in the example's
 * folder, on a free loopback port, in their own process group (stopped by PID, also on failure).
 * Ready when GET /health answers 200.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startGroup, stopGroup, waitForHealth } from '../../scripts/process-group.ts';

export interface RunningExample {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** What it printed (its first line names the Node version it runs on). */
  log(): string;
  stop(): Promise<void>;
}

export interface ExampleOptions {
  /** The example's folder (default: in this repository). */
  dir: string;
  env: Record<string, string>;
  /**
   * Run as a sibling team would, outside this repository: PATH decides which `node` runs it, and
   * none of the npm_* variables of the npm script running the tests reach it (cleanEnv).
   */
  outside?: { path: string };
  port?: number;
}

/**
 * This process's environment without what the npm script running the tests added (npm_*, INIT_CWD,
 * NODE), PATH as given (which `node` and `npm` run). The rest stays: e.g. NODE_EXTRA_CA_CERTS, which
 * npm may need to reach the registry.
 */
export function cleanEnv(path: string): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name) && name !== 'INIT_CWD' && name !== 'NODE'),
  );
  return {
    ...env,
    PATH: path,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
}

export async function startExample(options: ExampleOptions): Promise<RunningExample> {
  const port = options.port ?? (await freePort());
  const logDir = mkdtempSync(join(tmpdir(), 'sitewide-example-'));
  const logPath = join(logDir, 'npm-start.log');
  const env: NodeJS.ProcessEnv = {
    ...(options.outside ? cleanEnv(options.outside.path) : { ...process.env, npm_config_update_notifier: 'false' }),
    ...options.env,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  const child = startGroup('npm', ['start', '--silent'], { cwd: resolve(options.dir), env, logPath });
  const stop = async () => {
    await stopGroup(child);
    rmSync(logDir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(`${url}/health`, child, { name: `npm start in ${options.dir}`, logPath, timeoutMs: 30_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, log: () => readFileSync(logPath, 'utf8'), stop };
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * GET exactly as a browser navigation sends it (Node's fetch would add its own `Sec-Fetch-Mode: cors`):
 * these headers only, `localhost` pinned to 127.0.0.1, redirects not followed.
 */
export function rawGet(url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolvePromise, reject) => {
    const req = request(
      url,
      {
        headers,
        lookup: (_host, opts, callback) =>
          opts.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) out.append(name, v);
          }
          resolvePromise({ status: res.statusCode ?? 0, headers: out, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** What a browser sends for a page load. */
export const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-dest': 'document',
};
