/**
 * Serves a bench Worker bundle (from `wrangler deploy --dry-run --outdir`) with Miniflare's own
 * workerd server: no wrangler dev proxy in front, no request tracing, no request log.
 * Run by bench/servers.ts as its own process group (it is stopped by killing the group):
 *
 *   node bench/serve-direct.ts CONFIG.json      → prints "ready http://127.0.0.1:PORT" when listening
 *
 * The Miniflare is the one wrangler itself runs (resolved from wrangler's own dependencies), so
 * both HTTP paths use the same workerd.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface DirectServerConfig {
  scriptPath: string;
  port: number;
  compatibilityDate: string;
  bindings: Record<string, string>;
  /** `--persist-to` directory that `wrangler d1 migrations apply --local` wrote (D1 bound as DB). */
  persistTo?: string;
  d1DatabaseId?: string;
  rateLimit?: { name: string; namespaceId: string; limit: number; period: number };
  /** Durable Object bindings to classes the bundle exports (SQLite-backed), e.g. the revocation feed. */
  durableObjects?: Record<string, string>;
  /**
   * Also serve the Worker on this port from a workerd socket bound straight to it, bypassing
   * Miniflare's entry Worker (what `workerd serve` on the bundle would do).
   */
  socketPort?: number;
}

const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as DirectServerConfig;
const requireFromWrangler = createRequire(join(import.meta.dirname, '..', 'node_modules', 'wrangler', 'package.json'));
const { Miniflare, convertV4MiniflareOptions } = await import(
  pathToFileURL(requireFromWrangler.resolve('miniflare')).href
);

const mf = new Miniflare(
  convertV4MiniflareOptions({
    host: '127.0.0.1',
    port: config.port,
    logRequests: false,
    // The Worker's console lines (one JSON line per request) are dropped here, not piped on:
    // production sends them to Workers Logs, not to a local terminal.
    handleStructuredLogs: () => {},
    unsafeObservability: false,
    unsafeLocalExplorer: false,
    // wrangler's --persist-to DIR keeps resources under DIR/v3.
    ...(config.persistTo ? { resourcePersistencePath: join(config.persistTo, 'v3') } : {}),
    // Module names are paths relative to the root: keep the bundle's directory as the root.
    rootPath: dirname(config.scriptPath),
    modules: true,
    scriptPath: config.scriptPath,
    compatibilityDate: config.compatibilityDate,
    bindings: config.bindings,
    ...(config.socketPort ? { unsafeDirectSockets: [{ host: '127.0.0.1', port: config.socketPort }] } : {}),
    ...(config.d1DatabaseId ? { d1Databases: { DB: config.d1DatabaseId } } : {}),
    ...(config.durableObjects
      ? {
          durableObjects: Object.fromEntries(
            Object.entries(config.durableObjects).map(([binding, className]) => [
              binding,
              { className, useSQLite: true },
            ]),
          ),
        }
      : {}),
    ...(config.rateLimit
      ? {
          ratelimits: {
            [config.rateLimit.name]: {
              namespace_id: config.rateLimit.namespaceId,
              simple: { limit: config.rateLimit.limit, period: config.rateLimit.period },
            },
          },
        }
      : {}),
  }),
);
const url: URL = await mf.ready;
console.log(`ready ${url.origin}`);

const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
