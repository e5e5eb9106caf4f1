/** What a parsed command line asks for (scripts/admin/args.ts parses it; commands.ts runs it). No Node imports: the workerd tests run the commands. */
import type { ClientsCommand } from './clients/invocation.ts';
import type { Actor, Email, Role, Subject, UserRef } from './values.ts';

/** The commands of users, roles, sessions and invitations. */
export type UserCommand =
  | { name: 'users list'; role: Role | null; disabled: boolean }
  | { name: 'users show' | 'users disable' | 'users enable' | 'users delete' | 'sessions revoke'; user: UserRef }
  | { name: 'roles grant' | 'roles revoke'; user: UserRef; role: Role }
  | { name: 'invites add' | 'invites remove'; email: Email }
  | { name: 'invites list' }
  /** `sub` null: list the Google accounts recently refused for the user's address, to pick one. */
  | { name: 'users relink'; user: UserRef; sub: Subject | null }
  | { name: 'users duplicates' };

/** Every command: the users' and the service clients' (clients/invocation.ts). */
export type Command = UserCommand | ClientsCommand;

export type CommandName = Command['name'];

export interface Invocation<C extends Command = Command> {
  command: C;
  json: boolean;
  /** `--by`, when given. */
  by: Actor | null;
  /** Passed to `wrangler d1 execute`. */
  wranglerFlags: string[];
}
