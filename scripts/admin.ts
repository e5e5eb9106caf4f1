/**
 * `npm run admin`: operate users, roles, sessions and invitations in D1 through
 * `wrangler d1 execute` (the local database of `npm run dev` by default;
 * `--env production --remote` for production). `npm run admin -- --help` lists
 * the commands. Every change and its `auth_events` row run as one D1 batch.
 *
 *   scripts/admin/args.ts      command line, validation, usage
 *   scripts/admin/values.ts    validated values (branded types) and SQL literals
 *   scripts/admin/rows.ts      a batch, and the rows D1 gives back
 *   scripts/admin/sql.ts       SQL builders (pure) and their result readers
 *   scripts/admin/wrangler.ts  runs one batch with wrangler
 *   scripts/admin/commands.ts  each command: its batch, its output
 *   scripts/admin/format.ts    tables
 *   scripts/admin/clients/     `clients …`: service clients, statements built with drizzle (inline-sql.ts)
 */
import { randomUUID } from 'node:crypto';
import { parseCommandLine, USAGE } from './admin/args.ts';
import { runClientsCli } from './admin/clients/cli.ts';
import { execute } from './admin/commands.ts';
import { defaultOperator } from './admin/operator.ts';
import { sessionDbsOf } from './admin/session-config.ts';
import { parseUuid, type Uuid } from './admin/values.ts';
import { D1Error, wranglerRunner } from './admin/wrangler.ts';

// Service clients (scripts/admin/clients/): their own parser and commands.
if (process.argv[2] === 'clients') process.exit(await runClientsCli(process.argv.slice(2)));

const parsed = parseCommandLine(process.argv.slice(2));
if (parsed.kind === 'help') {
  console.log(USAGE);
  process.exit(0);
}
if (parsed.kind === 'usage') {
  console.error(
    `admin: ${parsed.error}\n${parsed.full ? `\n${USAGE}` : '(npm run admin -- --help lists the commands)'}`,
  );
  process.exit(2);
}

const { invocation } = parsed;
const sessionDbs = sessionDbsOf(invocation.wranglerFlags);
if (typeof sessionDbs === 'string') {
  console.error(`admin: ${sessionDbs}`);
  process.exit(1);
}
try {
  const output = await execute(invocation, {
    run: wranglerRunner(invocation.wranglerFlags),
    ...(sessionDbs ? { sessionDbs } : {}),
    now: () => Date.now(),
    newId: () => parseUuid(randomUUID()) as Uuid,
    operator: () => defaultOperator(),
  });
  if (output.stdout) console.log(output.stdout);
  if (output.stderr) console.error(`admin: ${output.stderr}`);
  process.exitCode = output.code;
} catch (error) {
  if (!(error instanceof D1Error)) throw error;
  console.error(`admin: ${error.message}`);
  process.exitCode = 1;
}
