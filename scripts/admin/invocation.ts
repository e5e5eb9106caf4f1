/** What a parsed command line asks for (scripts/admin/args.ts parses it; commands.ts runs it). No Node imports: the workerd tests run the commands. */
import type { Actor, Email, Role, Subject, UserRef } from './values.ts';

export type Command =
  | { name: 'users list'; role: Role | null; disabled: boolean }
  | { name: 'users show' | 'users disable' | 'users enable' | 'users delete' | 'sessions revoke'; user: UserRef }
  | { name: 'roles grant' | 'roles revoke'; user: UserRef; role: Role }
  | { name: 'invites add' | 'invites remove'; email: Email }
  | { name: 'invites list' }
  /** `sub` null: list the Google accounts recently refused for the user's address, to pick one. */
  | { name: 'users relink'; user: UserRef; sub: Subject | null }
  | { name: 'users duplicates' };

export type CommandName = Command['name'];

export interface Invocation {
  command: Command;
  json: boolean;
  /** `--by`, when given. */
  by: Actor | null;
  /** Passed to `wrangler d1 execute`. */
  wranglerFlags: string[];
}
