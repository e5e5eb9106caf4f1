// What a batch of `npm run admin` is and what D1 gives back: one batch's statements and reader,
// and the rows as D1 returns them (snake_case columns, epoch-ms integers).
import type { Actor, Uuid } from './values.ts';

/** One D1 batch: its statements, and how to read their results (one row list per statement). */
export interface Batch<T> {
  statements: string[];
  read(results: Rows[]): T;
}

export type Row = Record<string, unknown>;
export type Rows = Row[];

/** Runs the statements as one batch; resolves to one row list per statement (scripts/admin/wrangler.ts). */
export type RunD1 = (statements: string[]) => Promise<Rows[]>;

/** What every change needs: the time (epoch ms), the new audit row's id, and who runs it. */
export interface ChangeContext {
  now: number;
  auditId: Uuid;
  by: Actor | null;
}

export interface UserRow {
  id: string;
  email: string | null;
  /** The address the user holds (one address, one user); null: none, or shared from before the rule. */
  email_normalized: string | null;
  name: string | null;
  email_verified: number;
  created_at: number;
  updated_at: number;
  disabled_at: number | null;
  /** Who disabled the user: 'admin', 'workspace' (the Workspace link), or null (SQL, older versions). */
  disabled_source: string | null;
}

export interface UserListRow {
  id: string;
  email: string | null;
  name: string | null;
  created_at: number;
  disabled_at: number | null;
  /** Comma-separated, sorted; null when none. */
  roles: string | null;
  live_sessions: number;
}

export interface AccountRow {
  provider: string;
  provider_account_id: string;
  created_at: number;
}

export interface RoleRow {
  role: string;
  granted_at: number;
  granted_by: string | null;
  /** 'admin' (npm run admin) or 'group:<address>' (GROUP_ROLES, kept by the Workspace link). */
  source: string;
}

export interface SessionRow {
  id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string | null;
}

export interface EventRow {
  id: string;
  kind: string;
  session_id: string | null;
  detail: string | null;
  created_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface InvitationRow {
  email: string;
  invited_at: number;
  invited_by: string | null;
  accepted_at: number | null;
}
