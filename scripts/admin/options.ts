/**
 * What every command line of `npm run admin` shares (args.ts; clients/args.ts for `clients …`):
 * --json, --help, --by, the database flags it passes to wrangler, and the check of a command's
 * arguments and options against what it takes.
 */
import type { ParseArgsOptionsConfig } from 'node:util';
import type { Command, Invocation } from './invocation.ts';
import { type Actor, parseActor } from './values.ts';

export type ParseResult =
  | { kind: 'run'; invocation: Invocation }
  | { kind: 'help' }
  /** `full`: no or an unknown command, so print the whole usage. */
  | { kind: 'usage'; error: string; full?: boolean };

/** What `parse()` (node:util's parseArgs with a parser's options) read, or the answer to a usage error or --help. */
export function parsedOrAnswer<T extends { values: { help?: boolean | undefined } }>(parse: () => T): T | ParseResult {
  let parsed: T;
  try {
    parsed = parse();
  } catch (error) {
    return { kind: 'usage', error: (error as Error).message };
  }
  return parsed.values.help ? { kind: 'help' } : parsed;
}

/** For node:util's parseArgs, with each parser's own options. */
export const SHARED_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  by: { type: 'string' },
  env: { type: 'string', short: 'e' },
  remote: { type: 'boolean' },
  local: { type: 'boolean' },
  preview: { type: 'boolean' },
  'persist-to': { type: 'string' },
  config: { type: 'string', short: 'c' },
} as const satisfies ParseArgsOptionsConfig;

interface SharedValues {
  json?: boolean;
  by?: string;
  env?: string;
  remote?: boolean;
  local?: boolean;
  preview?: boolean;
  'persist-to'?: string;
  config?: string;
}

/** The database flags for wrangler: local (the database npm run dev uses) unless --remote. */
export function wranglerFlags(
  values: Pick<SharedValues, 'remote' | 'local' | 'env' | 'preview' | 'persist-to' | 'config'>,
): string[] | string {
  if (values.remote && values.local) return '--remote and --local exclude each other';
  if (values.remote && values['persist-to'] !== undefined) return '--persist-to is for the local database only';
  return [
    ...(values.config !== undefined ? ['--config', values.config] : []),
    ...(values.env !== undefined ? ['--env', values.env] : []),
    ...(values.remote ? ['--remote'] : ['--local']),
    ...(values.preview ? ['--preview'] : []),
    ...(values['persist-to'] !== undefined ? ['--persist-to', values['persist-to']] : []),
  ];
}

/** What a command takes: its positional arguments, and its options beyond --json and the database flags. */
export interface CommandSpec<O extends string> {
  args: readonly string[];
  options: readonly O[];
}

/** What is wrong with the arguments and options given to `name` (`optional`: every option one takes), or null. */
export function misuseOf<O extends string>(
  name: string,
  spec: CommandSpec<O>,
  args: readonly string[],
  values: Partial<Record<O, unknown>>,
  optional: readonly O[],
): string | null {
  if (args.length !== spec.args.length) {
    return `'${name}' takes ${spec.args.length || 'no'} argument(s): ${[name, ...spec.args].join(' ')}`;
  }
  const misplaced = optional.find((option) => values[option] !== undefined && !spec.options.includes(option));
  return misplaced === undefined ? null : `--${misplaced} does not apply to '${name}'`;
}

/** The invocation of the command `build` makes (or what is wrong with its arguments), with the shared options. */
export function invocationOf(values: SharedValues, build: () => Command | string): ParseResult {
  let by: Actor | null = null;
  if (values.by !== undefined) {
    by = parseActor(values.by.trim());
    if (!by) return { kind: 'usage', error: `--by: not a name or email address: ${JSON.stringify(values.by)}` };
  }
  const flags = wranglerFlags(values);
  if (typeof flags === 'string') return { kind: 'usage', error: flags };
  const command = build();
  if (typeof command === 'string') return { kind: 'usage', error: command };
  return { kind: 'run', invocation: { command, json: values.json ?? false, by, wranglerFlags: flags } };
}
