/**
 * Fails the build when the production bundle outgrows its budget, or when a
 * package that must never ship in the Worker is back in it.
 * Run after `wrangler deploy --dry-run --env production --outdir dist --minify --metafile dist/meta.json`
 * (`npm run build`): `node scripts/check-bundle.ts [dist/index.js] [dist/meta.json]`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// Measured 2026-11-27 (gzip -9 of dist/index.js):
//   149.6 KiB with tldts (the Public Suffix List); 106.6 once the full check moved to deploy time
//   (`npm run deploy` runs `npm run doctor`); 109.5 with the revocation feed (+2.7);
//   102.1 without preact (Auth.js's built-in pages, wrangler.toml [alias] -> src/bundle/no-authjs-pages.ts);
//   97.7 without jose's general JWE (Auth.js's flow cookies: src/bundle/jose-in-worker.ts, flow-cookie-jwe.ts);
//   101.6 with D1 replicas, SESSION_DBS (+2.3) and the feed's D1 read and location cache (+1.0);
//   94.7 with keep_names = false (wrangler.toml); 95.04 once the feed copies disables written by SQL in DB
//   onto the session databases' copies (src/revocation/copy-disables.ts, +0.3);
//   96.9 with one template for every page (src/pages/: Google's G mark inline, ~0.5, and one stylesheet, ~0.6)
//   and the sign-out page (GET /auth/signout, src/routes/sign-out-page.ts) (+1.9 in all);
//   +5.4 with the Workspace link (src/workspace: the service-account token by JWT-bearer grant over Web Crypto,
//   the Directory client on plain fetch, the sync, its plan and D1 writes, the sign-in hook, the settings'
//   checks and messages; jose's PEM import was left out for Web Crypto's, -0.5).
//   103.3 with one address, one account (src/access/address.ts, the sign-in batch's conflict check, untrusted-text.ts).
//   +3.6 with service clients (src/clients: the client_credentials grant, its request parser and RFC 6749
//   errors, secret hashing and the constant-time compare, client tokens signed and, on /api, verified to
//   refuse them with 403 client_not_allowed, the grant's rate limits, its OpenAPI text, the revocation scan).
//   +4.1 with the gate: src/gate (GATES' checks and messages, the dispatch, the identity headers and the
//   spoofable-header list, the signed assertion, forwarding, the refusals, the 403 page, /_sitewide/me and
//   signout) and src/session/authenticate.ts (the cookie path as one function, +0.2): 111.7.
//   107.3 with the OpenAPI document built before the bundle (scripts/openapi.ts → public/openapi.json, served
//   from the assets by src/openapi/serve.ts): the route descriptions and the builder out of the Worker (−4.4).
// The budget is what was achieved, rounded up: a growth fails the build.
const BUDGET_GZIP_KIB = 108;

/** Never in the Worker: Auth.js's page renderer (aliased to a stub) and the Public Suffix List (deploy time only). */
const FORBIDDEN = ['preact', 'preact-render-to-string', 'tldts', 'tldts-core'];

const bundlePath = process.argv[2] ?? 'dist/index.js';
const metaPath = process.argv[3] ?? 'dist/meta.json';
const code = readFileSync(bundlePath);
const raw = code.length / 1024;
const gzip = gzipSync(code, { level: 9 }).length / 1024;
console.log(`bundle: ${raw.toFixed(1)} KiB minified, ${gzip.toFixed(1)} KiB gzip (budget ${BUDGET_GZIP_KIB} KiB gzip)`);

let failed = false;
if (gzip > BUDGET_GZIP_KIB) {
  console.error(`bundle over budget by ${(gzip - BUDGET_GZIP_KIB).toFixed(1)} KiB gzip`);
  failed = true;
}

if (existsSync(metaPath)) {
  const bySource = sourcesOf(metaPath);
  console.log(
    [...bySource]
      .sort(([, a], [, b]) => b - a)
      .map(([source, bytes]) => `  ${(bytes / 1024).toFixed(1).padStart(6)} KiB  ${source}`)
      .join('\n'),
  );
  const back = FORBIDDEN.filter((name) => bySource.has(name));
  if (back.length > 0) {
    console.error(`in the bundle, and must not be: ${back.join(', ')} (see the comments in wrangler.toml [alias])`);
    failed = true;
  }
} else {
  console.error(`no ${metaPath}: build with --metafile to check what is in the bundle`);
  failed = true;
}
if (failed) process.exit(1);

/** Minified bytes in the bundle per package (or `src`), from esbuild's metafile. */
function sourcesOf(path: string): Map<string, number> {
  const meta = JSON.parse(readFileSync(path, 'utf8')) as {
    outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const bySource = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    if (!output.entryPoint) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const source =
        /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? (input.includes('src/') ? 'src' : input);
      bySource.set(source, (bySource.get(source) ?? 0) + bytesInOutput);
    }
  }
  return bySource;
}
