/** The command line of `npm run admin`: commands, their arguments (validated), options, wrangler flags. */
import { parseArgs } from 'node:util';
import { CLIENTS_COMMAND_NAMES, parseClientsCommandLine } from './clients/args.ts';
import { CLIENTS_USAGE } from './clients/usage.ts';
import type { CommandName, UserCommand } from './invocation.ts';
import {
  type CommandSpec,
  invocationOf,
  misuseOf,
  type ParseResult,
  parsedOrAnswer,
  SHARED_OPTIONS,
} from './options.ts';
import { parseEmail, parseRole, parseSubject, parseUserRef } from './values.ts';

export const USAGE = `Usage: npm run admin -- <command> [options]

Users (EMAIL matches with A-Z case-insensitive, as Google compares addresses; a user id works too):
  users list [--role ROLE] [--disabled]   users, or those with ROLE, or the disabled ones
  users show EMAIL                         the user, accounts, roles, live sessions, last 20 events
  users disable EMAIL                      refuse new sign-ins now, and the user's sessions at their next refresh
  users enable EMAIL
  users delete EMAIL                       delete the user, accounts, sessions and roles; keep the audit
                                           events (ip and user agent removed)
  users relink EMAIL --sub SUB             the user signs in with Google account SUB from now on, instead of
                                           the old one (whose sessions are revoked); without --sub: the
                                           accounts recently refused for the address (account_conflict)
  users duplicates                         users that share one address (from before one address, one user)
  roles grant EMAIL ROLE
  roles revoke EMAIL ROLE
  sessions revoke EMAIL                    revoke all of the user's live sessions
  invites add EMAIL                        (stored lower-cased)
  invites list
  invites remove EMAIL

${CLIENTS_USAGE}

Options:
  --json          JSON instead of tables
  --by NAME       who makes the change, for the audit trail (default: git config user.email, else $USER)
  --sub SUB       the Google account (its sub) for users relink
  --audience AUD, --role ROLE, --overlap DURATION: clients create / rotate (above)

Database (wrangler d1 execute flags; default: the local D1 that npm run dev uses):
  --env ENV --remote    e.g. --env production --remote
  --local  --persist-to DIR  --config FILE  --preview

Every change writes an admin_* row to auth_events in the same D1 batch.
Exit status: 0 done (or nothing to change), 1 not found or D1 failed, 2 usage.`;

export type { Command, CommandName, Invocation } from './invocation.ts';
export type { ParseResult } from './options.ts';

type Option = 'role' | 'disabled' | 'by' | 'sub';

/** Each command's positional arguments, and the options it takes beyond --json and the database flags. */
const COMMANDS: Record<UserCommand['name'], CommandSpec<Option>> = {
  'users list': { args: [], options: ['role', 'disabled'] },
  'users show': { args: ['EMAIL'], options: [] },
  'users disable': { args: ['EMAIL'], options: ['by'] },
  'users enable': { args: ['EMAIL'], options: ['by'] },
  'users delete': { args: ['EMAIL'], options: ['by'] },
  'roles grant': { args: ['EMAIL', 'ROLE'], options: ['by'] },
  'roles revoke': { args: ['EMAIL', 'ROLE'], options: ['by'] },
  'sessions revoke': { args: ['EMAIL'], options: ['by'] },
  'invites add': { args: ['EMAIL'], options: ['by'] },
  'invites list': { args: [], options: [] },
  'invites remove': { args: ['EMAIL'], options: ['by'] },
  'users relink': { args: ['EMAIL'], options: ['by', 'sub'] },
  'users duplicates': { args: [], options: [] },
};

/** Every command's name (test/e2e/admin-statements.test.ts runs each one as USAGE shows it). */
export const COMMAND_NAMES: CommandName[] = [...(Object.keys(COMMANDS) as CommandName[]), ...CLIENTS_COMMAND_NAMES];

const ROLE_RULE = 'lower-case letters, digits and . _ : -, starting with a letter, at most 64';

function isUserCommandName(name: string): name is UserCommand['name'] {
  return Object.hasOwn(COMMANDS, name);
}

export function parseCommandLine(argv: string[]): ParseResult {
  // Service clients: their own commands and options (clients/args.ts).
  if (argv[0] === 'clients') return parseClientsCommandLine(argv);
  const parsed = parsedOrAnswer(() => parseOptions(argv));
  if ('kind' in parsed) return parsed;
  const { values, positionals } = parsed;
  const [group, verb, ...rest] = positionals;
  if (!group) return { kind: 'usage', error: 'no command given', full: true };
  const name = `${group} ${verb ?? ''}`.trim();
  if (group === 'clients') return { kind: 'usage', error: "'clients' commands run through npm run admin -- clients …" };
  if (!isUserCommandName(name)) return { kind: 'usage', error: `unknown command '${name}'`, full: true };
  const misuse = misuseOf(name, COMMANDS[name], rest, values, ['role', 'disabled', 'by', 'sub']);
  if (misuse) return { kind: 'usage', error: misuse };
  return invocationOf(values, () => buildCommand(name, rest, values));
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ...SHARED_OPTIONS, role: { type: 'string' }, disabled: { type: 'boolean' }, sub: { type: 'string' } },
  });
}

type Values = ReturnType<typeof parseOptions>['values'];

const badUser = (text: string) => `not an email address or user id: ${JSON.stringify(text)}`;
const badRole = (text: string) => `not a role name: ${JSON.stringify(text)} (${ROLE_RULE})`;

/** The command with its validated arguments, or what is wrong with them. */
function buildCommand(name: UserCommand['name'], args: string[], values: Values): UserCommand | string {
  const [first = '', second = ''] = args;
  switch (name) {
    case 'users list': {
      if (values.role === undefined) return { name, role: null, disabled: values.disabled ?? false };
      const role = parseRole(values.role);
      return role ? { name, role, disabled: values.disabled ?? false } : `--role: ${badRole(values.role)}`;
    }
    case 'users show':
    case 'users disable':
    case 'users enable':
    case 'users delete':
    case 'sessions revoke': {
      const user = parseUserRef(first);
      return user ? { name, user } : badUser(first);
    }
    case 'roles grant':
    case 'roles revoke': {
      const user = parseUserRef(first);
      if (!user) return badUser(first);
      const role = parseRole(second);
      return role ? { name, user, role } : badRole(second);
    }
    case 'invites add':
    case 'invites remove': {
      const email = parseEmail(first);
      return email ? { name, email } : `not an email address: ${JSON.stringify(first)}`;
    }
    case 'invites list':
    case 'users duplicates':
      return { name };
    case 'users relink': {
      const user = parseUserRef(first);
      if (!user) return badUser(first);
      if (values.sub === undefined) return { name, user, sub: null };
      const sub = parseSubject(values.sub);
      return sub ? { name, user, sub } : `--sub: not a Google account subject: ${JSON.stringify(values.sub)}`;
    }
  }
}
