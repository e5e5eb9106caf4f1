/**
 * `npm run admin`: operate users, roles, sessions, invitations and service clients in D1 through
 * `wrangler d1 execute` (the local database of `npm run dev` by default;
 * `--env production --remote` for production). `npm run admin -- --help` lists
 * the commands. Every change and its `auth_events` row run as one D1 batch.
 *
 * Its statements are built with drizzle from the Worker's schema (src/db/schema.ts) and shared code
 * (src/users: the audit row, a user's copy in a session database), inlined for wrangler:
 *
 *   scripts/admin/args.ts        command line, validation, usage (options.ts: what all commands take)
 *   scripts/admin/values.ts      validated values (branded types)
 *   scripts/admin/statements.ts  a batch of drizzle statements: inlined text, typed results
 *   scripts/admin/inline.ts      parameters as SQL literals (wrangler binds none)
 *   scripts/admin/lookup.ts      whom a reference names
 *   scripts/admin/reads.ts       the reads; changes.ts the changes and their audit rows
 *   scripts/admin/addresses.ts   users relink, users duplicates
 *   scripts/admin/shards.ts      SESSION_DBS: where sessions and users' copies are
 *   scripts/admin/wrangler.ts    runs one batch with wrangler
 *   scripts/admin/commands.ts    each command: its batch, its output
 *   scripts/admin/format.ts      tables
 *   scripts/admin/wrangler-config.ts  SESSION_DBS, AUTH_URL and TOKEN_AUDIENCES of the wrangler config
 *   scripts/admin/clients/       `clients …`: service clients (their own options, batches and commands)
 *
 * Node runs it as is (type stripping): the src/ files it loads name their imports with `.ts`.
 */
import { randomUUID } from 'node:crypto';
import { parseCommandLine, USAGE } from './admin/args.ts';
import { isClientsCommand } from './admin/clients/invocation.ts';
import { defaultOperator } from './admin/operator.ts';
import { parseUuid, type Uuid } from './admin/values.ts';

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

// Loaded once the command line is valid: wrangler's config reader and drizzle take a second to load.
const [{ execute }, { sessionDbsOf, tokenSettingsOf }, { D1Error, wranglerRunner }] = await Promise.all([
  import('./admin/commands.ts'),
  import('./admin/wrangler-config.ts'),
  import('./admin/wrangler.ts'),
]);
const { invocation } = parsed;
const flags = invocation.wranglerFlags;
// Service clients live in DB alone: their commands need no SESSION_DBS, but the token settings.
const clients = isClientsCommand(invocation.command);
const sessionDbs = clients ? undefined : sessionDbsOf(flags);
if (typeof sessionDbs === 'string') {
  console.error(`admin: ${sessionDbs}`);
  process.exit(1);
}
try {
  const output = await execute(invocation, {
    run: wranglerRunner(flags),
    ...(sessionDbs ? { sessionDbs } : {}),
    ...(clients ? tokenSettingsOf(flags) : {}),
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
