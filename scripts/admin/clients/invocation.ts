/** The `clients …` commands a parsed command line asks for (args.ts parses them; commands.ts runs them). No Node imports: the workerd tests run the commands. */
import type { Role, Uuid } from '../values.ts';
import type { Audience, ClientName } from './values.ts';

export type ClientsCommand =
  | { name: 'clients create'; clientName: ClientName; audiences: Audience[]; roles: Role[] }
  | { name: 'clients list' }
  | { name: 'clients show' | 'clients revoke'; id: Uuid }
  | { name: 'clients rotate'; id: Uuid; overlapSeconds: number };

export const isClientsCommand = (command: { name: string }): command is ClientsCommand =>
  command.name.startsWith('clients ');
