/** The command line of `npm run admin -- clients …`: its commands, validated arguments and options. */
import { parseArgs } from 'node:util';
import {
  type CommandSpec,
  invocationOf,
  misuseOf,
  type ParseResult,
  parsedOrAnswer,
  SHARED_OPTIONS,
} from '../options.ts';
import { parseRole, parseUuid, type Role } from '../values.ts';
import type { ClientsCommand } from './invocation.ts';
import { type Audience, parseAudience, parseClientName, parseOverlap } from './values.ts';

type Option = 'audience' | 'role' | 'overlap' | 'by';
const COMMANDS: Record<ClientsCommand['name'], CommandSpec<Option>> = {
  'clients create': { args: ['NAME'], options: ['audience', 'role', 'by'] },
  'clients list': { args: [], options: [] },
  'clients show': { args: ['ID'], options: [] },
  'clients rotate': { args: ['ID'], options: ['overlap', 'by'] },
  'clients revoke': { args: ['ID'], options: ['by'] },
};

export const CLIENTS_COMMAND_NAMES = Object.keys(COMMANDS) as Array<ClientsCommand['name']>;

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...SHARED_OPTIONS,
      audience: { type: 'string', multiple: true },
      role: { type: 'string', multiple: true },
      overlap: { type: 'string' },
    },
  });
}

type Values = ReturnType<typeof parseOptions>['values'];

const isName = (name: string): name is ClientsCommand['name'] => Object.hasOwn(COMMANDS, name);

/** `argv` starts with `clients`. */
export function parseClientsCommandLine(argv: string[]): ParseResult {
  const parsed = parsedOrAnswer(() => parseOptions(argv));
  if ('kind' in parsed) return parsed;
  const { values, positionals } = parsed;
  const [, verb, ...rest] = positionals;
  const name = `clients ${verb ?? ''}`.trim();
  if (!isName(name)) return { kind: 'usage', error: `unknown command '${name}'`, full: true };
  const misuse = misuseOf(name, COMMANDS[name], rest, values, ['audience', 'role', 'overlap', 'by']);
  if (misuse) return { kind: 'usage', error: misuse };
  return invocationOf(values, () => buildCommand(name, rest[0] ?? '', values));
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
