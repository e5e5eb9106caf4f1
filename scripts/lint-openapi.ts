/**
 * `npm run lint:openapi` (part of `npm run lint`): builds the document `GET /openapi.json` serves,
 * from the app's own routes, and lints it with Redocly CLI's `recommended` ruleset (redocly.yaml,
 * exceptions in .redocly.lint-ignore.yaml). Any error or warning fails. Offline: no Worker runtime,
 * no network (telemetry and the update check are off).
 *
 * Run with tsx, not plain node: the Worker's sources import without file extensions, which Node's
 * type stripping does not resolve. Nothing in them needs workerd to build the document.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

// Worker code, typechecked with the Worker's types: imported by a path tsc does not follow from here.
const builder: string = './openapi-document.ts';
const { openApiDocumentForLint } = (await import(builder)) as { openApiDocumentForLint: () => unknown };

// A fixed path, because .redocly.lint-ignore.yaml names its exceptions by file.
const DOCUMENT = 'node_modules/.cache/sitewide/openapi.json';
mkdirSync(dirname(DOCUMENT), { recursive: true });
writeFileSync(DOCUMENT, `${JSON.stringify(openApiDocumentForLint(), null, 2)}\n`);

const lint = spawnSync(
  process.execPath,
  [
    'node_modules/@redocly/cli/bin/cli.js',
    'lint',
    '--config',
    'redocly.yaml',
    '--lint-config',
    'error',
    '--format',
    'json',
    '--max-problems',
    '1000',
    DOCUMENT,
  ],
  {
    encoding: 'utf8',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
);

interface Report {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer?: string }> }>;
}
let report: Report;
try {
  report = JSON.parse(lint.stdout) as Report;
} catch {
  console.error(`redocly lint gave no report (exit ${lint.status ?? lint.signal}):\n${lint.stderr}${lint.stdout}`);
  process.exit(1);
}

for (const problem of report.problems) {
  const where = decodeURIComponent(problem.location[0]?.pointer ?? '');
  console.error(`${problem.severity} ${problem.ruleId} ${where}: ${problem.message}`);
}
const { errors, warnings, ignored } = report.totals;
console.log(
  `openapi.json (${DOCUMENT}): redocly lint --extends recommended: ${errors} errors, ${warnings} warnings, ${ignored} ignored (see .redocly.lint-ignore.yaml)`,
);
if (errors > 0 || warnings > 0 || lint.status !== 0) {
  if (lint.status !== 0 && errors === 0) console.error(lint.stderr);
  process.exit(1);
}
