/**
 * Fails the build when the production bundle outgrows its budget.
 * Run after `wrangler deploy --dry-run --env production --outdir dist --minify`.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// Measured 2026-11-27: 149.6 KiB gzip with tldts (the Public Suffix List), 106.6 KiB once the full
// check moved to deploy time (`npm run deploy` runs `npm run doctor`). What remains, minified:
// drizzle-orm 76 KiB, Auth.js core 70 + oauth4webapi 26 + preact 17 (its pages), src 71 (with the
// OpenAPI descriptions), jose 43 (JWE half pulled by Auth.js), Hono 29. The target is 90 KiB gzip.
// The revocation feed (src/revocation: the Durable Object, the isolate snapshot, the well-known
// route and its OpenAPI schema) added 2.7 KiB gzip (106.8 -> 109.5, 7.6 KiB minified).
// The budget is what was achieved, rounded up: a growth fails the build.
const BUDGET_GZIP_KIB = 110;

const code = readFileSync(process.argv[2] ?? 'dist/index.js');
const raw = code.length / 1024;
const gzip = gzipSync(code, { level: 9 }).length / 1024;
console.log(`bundle: ${raw.toFixed(1)} KiB minified, ${gzip.toFixed(1)} KiB gzip (budget ${BUDGET_GZIP_KIB} KiB gzip)`);
if (gzip > BUDGET_GZIP_KIB) {
  console.error(`bundle over budget by ${(gzip - BUDGET_GZIP_KIB).toFixed(1)} KiB gzip`);
  process.exit(1);
}
