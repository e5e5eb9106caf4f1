import type { RequestMeta } from '../auth-events';

// What a sign-in records and answers: shared by its one-database form (record-sign-in.ts), its
// SESSION_DBS form (sharded.ts) and the statements both build (statements.ts).

export interface ProviderProfile {
  provider: string;
  /** The provider's stable subject (Google `sub`): the identity key, never the email. */
  providerAccountId: string;
  email: string | null;
  emailVerified: boolean;
  /** Google's `hd` claim (the Workspace domain), null for consumer accounts. */
  hostedDomain: string | null;
  name: string | null;
  image: string | null;
}

export interface NewSession {
  id: string;
  meta: RequestMeta;
  now: Date;
  /** Seconds until the session expires. */
  maxAge: number;
}

export type SignInResult =
  | {
      kind: 'signed_in';
      userId: string;
      /** The user's roles (user_roles), for the token. */
      roles: string[];
      /** The profile as stored by this sign-in (users.email, name, image), for the token. */
      profile: { email: string | null; name: string | null; picture: string | null };
      /** This sign-in accepted the address's invitation. */
      acceptedInvitation: boolean;
    }
  | { kind: 'disabled'; userId: string }
  /** The verified address belongs to another user (docs/access.md): refused, audited, nothing else written. */
  | { kind: 'conflict' };
