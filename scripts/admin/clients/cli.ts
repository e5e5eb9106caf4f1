/**
 * `npm run admin -- clients …` on Node: parse, run against D1 through wrangler, print. The issuer
 * and TOKEN_AUDIENCES for the printed example and the audience warning come from the same wrangler
 * config and environment the command runs against.
 */
import { randomUUID } from 'node:crypto';
import { unstable_readConfig } from 'wrangler';
import { USAGE } from '../args.ts';
import { defaultOperator } from '../operator.ts';
import { parseUuid, type Uuid } from '../values.ts';
import { D1Error, wranglerRunner } from '../wrangler.ts';
import { parseClientsCommandLine } from './args.ts';
import { executeClients } from './commands.ts';

function configVars(flags: string[]): { issuer?: string; knownAudiences?: string[] } {
  const flag = (name: string) => {
    const i = flags.indexOf(name);
    return i >= 0 ? flags[i + 1] : undefined;
  };
  try {
    const config = unstable_readConfig({ config: flag('--config') ?? 'wrangler.toml', env: flag('--env') });
    const vars = config.vars as Record<string, unknown>;
    const issuer = typeof vars.AUTH_URL === 'string' ? new URL(vars.AUTH_URL).origin : undefined;
    const audiences = String(vars.TOKEN_AUDIENCES ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean);
    return { ...(issuer ? { issuer, knownAudiences: [issuer, ...audiences] } : {}) };
  } catch {
    return {};
  }
}

/** Runs the command line (which starts with `clients`); resolves to the exit status. */
export async function runClientsCli(argv: string[]): Promise<number> {
  const parsed = parseClientsCommandLine(argv);
  if (parsed.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === 'usage') {
    console.error(
      `admin: ${parsed.error}\n${parsed.full ? `\n${USAGE}` : '(npm run admin -- --help lists the commands)'}`,
    );
    return 2;
  }
  const { invocation } = parsed;
  try {
    const output = await executeClients(invocation, {
      run: wranglerRunner(invocation.wranglerFlags),
      now: () => Date.now(),
      newId: () => parseUuid(randomUUID()) as Uuid,
      operator: () => defaultOperator(),
      ...configVars(invocation.wranglerFlags),
    });
    if (output.stdout) console.log(output.stdout);
    if (output.stderr) console.error(`admin: ${output.stderr}`);
    return output.code;
  } catch (error) {
    if (!(error instanceof D1Error)) throw error;
    console.error(`admin: ${error.message}`);
    return 1;
  }
}
