/**
 * `npm run openapi` (run by `npm run build` and `npm run deploy`): writes the OpenAPI document
 * `GET /openapi.json` serves to public/openapi.json, the Worker's static assets, from
 * src/openapi/operations.ts. `--check` only compares (`npm run lint:openapi` runs it): a stale file
 * fails with the command that fixes it.
 *
 * Run with tsx, not plain node: the Worker's sources import without file extensions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DOCUMENT_FILE = 'public/openapi.json';
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

// Worker code, typechecked with the Worker's types: imported by a path tsc does not follow from here.
const builder: string = './openapi-document.ts';
const { builtDocument } = (await import(builder)) as { builtDocument: () => string };

const fresh = builtDocument();
let current = '';
try {
  current = readFileSync(DOCUMENT_FILE, 'utf8');
} catch {}
if (current === fresh) {
  // Up to date.
} else if (process.argv.includes('--check')) {
  console.error(`${DOCUMENT_FILE} is not what src/openapi/operations.ts describes: run npm run openapi`);
  process.exit(1);
} else {
  writeFileSync(DOCUMENT_FILE, fresh);
  console.log(`${DOCUMENT_FILE} written`);
}
