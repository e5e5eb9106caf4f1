/** The command line of `npm run admin`: commands, their arguments (validated), options, wrangler flags. */
import { parseArgs } from 'node:util';
import { CLIENTS_USAGE } from './clients/usage.ts';
import { type Actor, parseActor, parseEmail, parseRole, parseSubject, parseUserRef } from './values.ts';

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

import type { Command, CommandName, Invocation } from './invocation.ts';

export type ParseResult =
  | { kind: 'run'; invocation: Invocation }
  | { kind: 'help' }
  /** `full`: no or an unknown command, so print the whole usage. */
  | { kind: 'usage'; error: string; full?: boolean };

/** Each command's positional arguments, and the options it takes beyond --json and the database flags. */
const COMMANDS: Record<
  CommandName,
  { args: Array<'EMAIL' | 'ROLE'>; options: Array<'role' | 'disabled' | 'by' | 'sub'> }
> = {
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
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

const ROLE_RULE = 'lower-case letters, digits and . _ : -, starting with a letter, at most 64';

function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

export function parseCommandLine(argv: string[]): ParseResult {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    return { kind: 'usage', error: (error as Error).message };
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [group, verb, ...rest] = positionals;
  if (!group) return { kind: 'usage', error: 'no command given', full: true };
  const name = `${group} ${verb ?? ''}`.trim();
  if (group === 'clients') return { kind: 'usage', error: "'clients' commands run through npm run admin -- clients …" };
  if (!isCommandName(name)) return { kind: 'usage', error: `unknown command '${name}'`, full: true };
  const spec = COMMANDS[name];
  if (rest.length !== spec.args.length) {
    const expected = [name, ...spec.args].join(' ');
    return { kind: 'usage', error: `'${name}' takes ${spec.args.length || 'no'} argument(s): ${expected}` };
  }
  for (const option of ['role', 'disabled', 'by', 'sub'] as const) {
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

  const command = buildCommand(name, rest, values);
  if (typeof command === 'string') return { kind: 'usage', error: command };
  return { kind: 'run', invocation: { command, json: values.json ?? false, by, wranglerFlags: flags } };
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      role: { type: 'string' },
      disabled: { type: 'boolean' },
      by: { type: 'string' },
      sub: { type: 'string' },
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

/** The database flags for wrangler: local (the database npm run dev uses) unless --remote. */
export function wranglerFlags(
  values: Pick<Values, 'remote' | 'local' | 'env' | 'preview' | 'persist-to' | 'config'>,
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

const badUser = (text: string) => `not an email address or user id: ${JSON.stringify(text)}`;
const badRole = (text: string) => `not a role name: ${JSON.stringify(text)} (${ROLE_RULE})`;

/** The command with its validated arguments, or what is wrong with them. */
function buildCommand(name: CommandName, args: string[], values: Values): Command | string {
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
