/**
 * Fails the build when the production bundle outgrows its budget.
 * Run after `wrangler deploy --dry-run --env production --outdir dist --minify`.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// Measured 2026-11-27: 139 KiB gzip (PSL data for the public-suffix check ~45 KiB, Auth.js core +
// oauth4webapi ~30 KiB, drizzle ~15 KiB, jose ~14 KiB, Hono ~10 KiB). The budget leaves ~10% headroom.
const BUDGET_GZIP_KIB = 155;

const code = readFileSync(process.argv[2] ?? 'dist/index.js');
const raw = code.length / 1024;
const gzip = gzipSync(code, { level: 9 }).length / 1024;
console.log(`bundle: ${raw.toFixed(1)} KiB minified, ${gzip.toFixed(1)} KiB gzip (budget ${BUDGET_GZIP_KIB} KiB gzip)`);
if (gzip > BUDGET_GZIP_KIB) {
  console.error(`bundle over budget by ${(gzip - BUDGET_GZIP_KIB).toFixed(1)} KiB gzip`);
  process.exit(1);
}
