// `npm run admin` inside workerd: its commands (scripts/admin/commands.ts, the SQL it sends through
// wrangler) run batch for batch against this project's local D1s (DB, and SESSION_DBS when set).
import { execute, type Output } from '../../scripts/admin/commands';
import type { Command } from '../../scripts/admin/invocation';
import type { Rows } from '../../scripts/admin/rows';
import type { SessionDbs } from '../../scripts/admin/shards';
import { parseUuid, type Uuid } from '../../scripts/admin/values';
import { bindingOf, sessionDbNames } from './databases';

function runner(db: D1Database) {
  return async (statements: string[]): Promise<Rows[]> =>
    (await db.batch(statements.map((s) => db.prepare(s)))).map((r) => (r.results ?? []) as Rows);
}

/** The admin over DB (and the session databases), counting the batches each database got. */
export function admin() {
  const batches = new Map<string, number>();
  const counted = (name: string) => {
    const run = runner(bindingOf(name));
    return (statements: string[]) => {
      batches.set(name, (batches.get(name) ?? 0) + 1);
      return run(statements);
    };
  };
  const names = sessionDbNames();
  const sessionDbs: SessionDbs | undefined = names.length ? { names, runIn: counted } : undefined;
  const exec = (command: Command, options: { by?: string } = {}): Promise<Output> =>
    execute(
      { command, json: true, by: (options.by ?? null) as never, wranglerFlags: [] },
      {
        run: counted('DB'),
        now: () => Date.now(),
        newId: () => parseUuid(crypto.randomUUID()) as Uuid,
        operator: () => null,
        ...(sessionDbs ? { sessionDbs } : {}),
      },
    );
  return { exec, batches };
}
