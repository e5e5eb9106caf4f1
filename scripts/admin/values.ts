/**
 * The values an operator names on the command line, validated: the branded types below come only
 * from a `parse…` function, whose conservative patterns (plain ASCII, no quotes, no `;`, no control
 * characters) admit nothing SQL or the shell could read otherwise. They reach SQL as literals
 * (wrangler's CLI has no bind parameters), quoted by inline.ts all the same.
 */

import { normalizeAddress } from '../../src/access/address.ts';
import { ROLE_NAME } from '../../src/access/role-name.ts';
import type { AuthEventKind } from '../../src/users/auth-events.ts';

type Brand<B extends string> = string & { readonly __brand: B };
/** An email address, normalised as everywhere (src/access/address.ts; the pattern admits ASCII only). */
export type Email = Brand<'Email'>;
export type Role = Brand<'Role'>;
/** A user id (users are created with crypto.randomUUID()), lower-cased; also audit row ids. */
export type Uuid = Brand<'Uuid'>;
/** Who runs the command: `--by`, `git config user.email` or `$USER`. */
export type Actor = Brand<'Actor'>;
/** A Google account's stable subject (`sub`; Google's are digits), as `accounts.provider_account_id`. */
export type Subject = Brand<'Subject'>;

/** The audit kinds of operator changes: src/users/auth-events.ts's `admin_*` ones. */
export type AdminKind = Extract<AuthEventKind, `admin_${string}`>;

/** The `source` of an operator's grants and the `disabled_source` of their disables (the Workspace link's differ). */
export const OPERATOR = 'admin';

// Conservative on purpose: plain ASCII, no quotes, no semicolons, no spaces (but in an Actor's name).
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const EMAIL = new RegExp(`^[A-Za-z0-9._%+-]{1,64}@${LABEL}(?:\\.${LABEL})+$`);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACTOR = /^[A-Za-z0-9._@+-](?:[A-Za-z0-9._@+ -]{0,98}[A-Za-z0-9._@+-])?$/;
// The same rule as the audit detail of a refused sign-in (src/users/sign-in/statements.ts).
const SUBJECT = /^[A-Za-z0-9._-]{1,255}$/;

export function parseEmail(text: string): Email | null {
  return text.length <= 254 && EMAIL.test(text) ? (normalizeAddress(text) as Email) : null;
}

export function parseSubject(text: string): Subject | null {
  return SUBJECT.test(text) ? (text as Subject) : null;
}

export function parseRole(text: string): Role | null {
  return ROLE_NAME.test(text) ? (text as Role) : null;
}

export function parseUuid(text: string): Uuid | null {
  const lower = text.toLowerCase();
  return UUID.test(lower) ? (lower as Uuid) : null;
}

export function parseActor(text: string): Actor | null {
  return ACTOR.test(text) ? (text as Actor) : null;
}

/** A user named on the command line: by email (case-insensitively) or by id. */
export type UserRef = { email: Email } | { id: Uuid };

export function parseUserRef(text: string): UserRef | null {
  if (text.includes('@')) {
    const email = parseEmail(text);
    return email ? { email } : null;
  }
  const id = parseUuid(text);
  return id ? { id } : null;
}

export function describeRef(ref: UserRef): string {
  return 'email' in ref ? `email ${ref.email}` : `id ${ref.id}`;
}
