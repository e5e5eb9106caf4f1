/**
 * `npm run lint:openapi` (part of `npm run lint`): checks that public/openapi.json, the document
 * `GET /openapi.json` serves, is what src/openapi/operations.ts describes (scripts/openapi.ts
 * --check), and lints it with Redocly CLI's `recommended` ruleset (redocly.yaml, exceptions in
 * .redocly.lint-ignore.yaml). Any error or warning fails. Offline: no Worker runtime, no network
 * (telemetry and the update check are off).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));

const fresh = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/openapi.ts', '--check'], {
  stdio: 'inherit',
});
if (fresh.status !== 0) process.exit(1);

// The path .redocly.lint-ignore.yaml names its exceptions by.
const DOCUMENT = 'public/openapi.json';

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
