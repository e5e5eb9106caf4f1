/** Service clients as D1 gives them back to `npm run admin` (snake_case columns, epoch-ms integers, JSON text). */
import type { Rows } from '../rows.ts';

export interface ClientRow {
  id: string;
  name: string;
  /** JSON arrays, as stored. */
  audiences: string;
  roles: string;
  created_at: number;
  created_by: string | null;
  last_used_at: number | null;
  revoked_at: number | null;
  previous_secret_expires_at: number | null;
  tokens_revoked_before: number | null;
}

export interface ClientEventRow {
  id: string;
  kind: string;
  detail: string | null;
  created_at: number;
}

export function clientRows(rows: Rows | undefined): ClientRow[] {
  return (rows ?? []) as unknown as ClientRow[];
}

/** A stored JSON array of strings; [] for anything else. */
export function stringList(json: string | null | undefined): string[] {
  try {
    const value: unknown = JSON.parse(json ?? '[]');
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}
