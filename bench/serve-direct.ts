/** `node bench/serve-direct.ts OPTIONS.json`: a Worker bundle on wrangler's own Miniflare (no dev proxy, no tracing). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const options = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8'));
const fromWrangler = createRequire(join(import.meta.dirname, '..', 'node_modules', 'wrangler', 'package.json'));
const { Miniflare, convertV4MiniflareOptions } = await import(pathToFileURL(fromWrangler.resolve('miniflare')).href);
// The Worker's console lines are dropped, not piped on: production sends them to Workers Logs.
const mf = new Miniflare(convertV4MiniflareOptions({ ...options, handleStructuredLogs: () => {} }));
console.log(`ready ${(await mf.ready).origin}`);
const stop = () => mf.dispose().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
