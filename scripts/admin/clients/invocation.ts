/** What a parsed `clients …` command line asks for (args.ts parses it; commands.ts runs it). No Node imports: the workerd tests run the commands. */
import type { Actor, Role, Uuid } from '../values.ts';
import type { Audience, ClientName } from './values.ts';

export type ClientsCommand =
  | { name: 'clients create'; clientName: ClientName; audiences: Audience[]; roles: Role[] }
  | { name: 'clients list' }
  | { name: 'clients show' | 'clients revoke'; id: Uuid }
  | { name: 'clients rotate'; id: Uuid; overlapSeconds: number };

export interface ClientsInvocation {
  command: ClientsCommand;
  json: boolean;
  by: Actor | null;
  wranglerFlags: string[];
}
