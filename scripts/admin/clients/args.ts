/** The command line of `npm run admin -- clients …`: its commands, validated arguments and options. */
import { parseArgs } from 'node:util';
import { wranglerFlags } from '../args.ts';
import { type Actor, parseActor, parseRole, parseUuid, type Role } from '../values.ts';
import type { ClientsCommand, ClientsInvocation } from './invocation.ts';
import { type Audience, parseAudience, parseClientName, parseOverlap } from './values.ts';

export type { ClientsCommand, ClientsInvocation };

export type ClientsParseResult =
  | { kind: 'run'; invocation: ClientsInvocation }
  | { kind: 'help' }
  | { kind: 'usage'; error: string; full?: boolean };

type Option = 'audience' | 'role' | 'overlap' | 'by';
const COMMANDS: Record<ClientsCommand['name'], { args: string[]; options: Option[] }> = {
  'clients create': { args: ['NAME'], options: ['audience', 'role', 'by'] },
  'clients list': { args: [], options: [] },
  'clients show': { args: ['ID'], options: [] },
  'clients rotate': { args: ['ID'], options: ['overlap', 'by'] },
  'clients revoke': { args: ['ID'], options: ['by'] },
};

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      by: { type: 'string' },
      audience: { type: 'string', multiple: true },
      role: { type: 'string', multiple: true },
      overlap: { type: 'string' },
      env: { type: 'string', short: 'e' },
      remote: { type: 'boolean' },
      local: { type: 'boolean' },
      preview: { type: 'boolean' },
      'persist-to': { type: 'string' },
      config: { type: 'string', short: 'c' },
    },
  });
}

type Values = ReturnType<typeof parseOptions>['values'];

const isName = (name: string): name is ClientsCommand['name'] => Object.hasOwn(COMMANDS, name);

/** `argv` starts with `clients`. */
export function parseClientsCommandLine(argv: string[]): ClientsParseResult {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    return { kind: 'usage', error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [, verb, ...rest] = positionals;
  const name = `clients ${verb ?? ''}`.trim();
  if (!isName(name)) return { kind: 'usage', error: `unknown command '${name}'`, full: true };
  const spec = COMMANDS[name];
  if (rest.length !== spec.args.length) {
    return {
      kind: 'usage',
      error: `'${name}' takes ${spec.args.length || 'no'} argument(s): ${[name, ...spec.args].join(' ')}`,
    };
  }
  for (const option of ['audience', 'role', 'overlap', 'by'] as const) {
    if (values[option] !== undefined && !spec.options.includes(option)) {
      return { kind: 'usage', error: `--${option} does not apply to '${name}'` };
    }
  }
  let by: Actor | null = null;
  if (values.by !== undefined) {
    by = parseActor(values.by.trim());
    if (!by) return { kind: 'usage', error: `--by: not a name or email address: ${JSON.stringify(values.by)}` };
  }
  const flags = wranglerFlags(values);
  if (typeof flags === 'string') return { kind: 'usage', error: flags };
  const command = buildCommand(name, rest[0] ?? '', values);
  if (typeof command === 'string') return { kind: 'usage', error: command };
  return { kind: 'run', invocation: { command, json: values.json ?? false, by, wranglerFlags: flags } };
}

function buildCommand(name: ClientsCommand['name'], arg: string, values: Values): ClientsCommand | string {
  if (name === 'clients list') return { name };
  if (name === 'clients create') {
    const clientName = parseClientName(arg);
    if (!clientName) {
      return `not a client name: ${JSON.stringify(arg)} (letters, digits, space and . _ : @ + -, at most 64)`;
    }
    const audiences: Audience[] = [];
    for (const text of values.audience ?? []) {
      const audience = parseAudience(text);
      if (!audience) return `--audience: not an audience: ${JSON.stringify(text)} (a TOKEN_AUDIENCES entry)`;
      if (!audiences.includes(audience)) audiences.push(audience);
    }
    if (audiences.length === 0)
      return "'clients create' needs --audience (one of TOKEN_AUDIENCES; repeat it for several)";
    const roles: Role[] = [];
    for (const text of values.role ?? []) {
      const role = parseRole(text);
      if (!role) return `--role: not a role name: ${JSON.stringify(text)}`;
      if (!roles.includes(role)) roles.push(role);
    }
    return { name, clientName, audiences, roles };
  }
  const id = parseUuid(arg);
  if (!id) return `not a client id: ${JSON.stringify(arg)} (clients list shows them)`;
  if (name === 'clients rotate') {
    const overlapSeconds = values.overlap === undefined ? 0 : parseOverlap(values.overlap);
    if (overlapSeconds === null) {
      return `--overlap: not a duration of at most 7d: ${JSON.stringify(values.overlap)} (e.g. 90s, 15m, 1h, 2d)`;
    }
    return { name, id, overlapSeconds };
  }
  return { name, id };
}
