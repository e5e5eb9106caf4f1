// What a batch of `npm run admin` is and what D1 gives back: one batch's statements and reader
// (built with drizzle: statements.ts), and the rows as D1 returns them (objects keyed by column).
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
