/**
 * Who may sign in: a pure decision over the ID token's claims, the configured
 * policy and whether the address holds an invitation (looked up in D1 by the
 * caller). The same rule runs at sign-in and at every refresh. Addresses and
 * domains compare as Google compares them (access/address: A–Z folded, nothing
 * else), so a look-alike spelling never passes for a listed address.
 */
import { asciiLowerCase, normalizeAddress } from './address';

/** Google accounts on these domains are consumer accounts: Google never sets `hd` for them. */
export const CONSUMER_GOOGLE_DOMAINS: ReadonlySet<string> = new Set(['gmail.com', 'googlemail.com']);

export interface AdmissionPolicy {
  /** Listed domains (lower case), ALLOWED_EMAIL_DOMAINS. */
  domains: readonly string[];
  /** Listed addresses (normalised: access/address), ALLOWED_EMAILS. */
  emails: ReadonlySet<string>;
}

/** What the decision reads from a Google identity (the ID token, or the user row at refresh). */
export interface AdmissionClaims {
  email: string | null;
  emailVerified: boolean;
  /** Google's `hd` claim: the Workspace domain of the account; absent for consumer accounts. */
  hostedDomain: string | null;
}

export type RefusalReason =
  /** The ID token carried no email (the `email` scope was not granted). */
  | 'email_missing'
  /** Google has not verified the address: its spelling proves nothing. */
  | 'email_unverified'
  /** The email's domain is listed, but the account is not a Workspace account of it (`hd` absent or another). */
  | 'hd_mismatch'
  /** Neither the domain nor the address is listed, and no invitation. */
  | 'domain_not_allowed'
  /** Only addresses and invitations admit (no domain is listed), and this one is neither. */
  | 'email_not_allowed'
  /** The Workspace link: the Directory says the account is suspended, archived or deleted (src/workspace). */
  | 'workspace_inactive';

/**
 * Why a sign-in was refused: the admission policy's reasons, and
 * `account_conflict`, the sign-in batch's (the verified address belongs to
 * another user: users/sign-in/statements).
 */
export type SignInRefusal = RefusalReason | 'account_conflict';

export const REFUSAL_REASONS: ReadonlySet<SignInRefusal> = new Set([
  'email_missing',
  'email_unverified',
  'hd_mismatch',
  'domain_not_allowed',
  'email_not_allowed',
  'workspace_inactive',
  'account_conflict',
]);

export type Admission =
  | { ok: true; by: 'open' | 'domain' | 'email' | 'invitation' }
  | {
      ok: false;
      reason: RefusalReason;
      /** The email's domain, for the audit row (never the address itself); null without an email. */
      emailDomain: string | null;
    };

/** No domain and no address listed: anyone may sign in. */
export function isOpen(policy: AdmissionPolicy): boolean {
  return policy.domains.length === 0 && policy.emails.size === 0;
}

/** The part after the last `@`, A–Z lower-cased; null when there is none. */
export function emailDomainOf(email: string | null): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  const domain = at < 0 ? '' : asciiLowerCase(email.slice(at + 1));
  return domain || null;
}

/** A listed domain admits this account: `hd` equal to it, or for gmail.com/googlemail.com the address on it and no `hd`. */
function domainAdmits(domain: string, claims: AdmissionClaims, emailDomain: string): boolean {
  const hd = claims.hostedDomain === null ? null : asciiLowerCase(claims.hostedDomain);
  if (CONSUMER_GOOGLE_DOMAINS.has(domain)) return hd === null && emailDomain === domain;
  return hd === domain;
}

/**
 * May this Google identity sign in (or keep its session)? A sign-in passes
 * when its verified address is in ALLOWED_EMAILS, or a listed domain admits
 * it (see domainAdmits), or it is invited. With nothing listed anyone passes.
 */
export function admit(claims: AdmissionClaims, policy: AdmissionPolicy, invited: boolean): Admission {
  if (isOpen(policy)) return { ok: true, by: 'open' };
  const emailDomain = emailDomainOf(claims.email);
  if (!claims.email || !emailDomain) return { ok: false, reason: 'email_missing', emailDomain: null };
  if (!claims.emailVerified) return { ok: false, reason: 'email_unverified', emailDomain };
  if (policy.emails.has(normalizeAddress(claims.email))) return { ok: true, by: 'email' };
  if (policy.domains.some((d) => domainAdmits(d, claims, emailDomain))) return { ok: true, by: 'domain' };
  if (invited) return { ok: true, by: 'invitation' };
  if (policy.domains.includes(emailDomain)) return { ok: false, reason: 'hd_mismatch', emailDomain };
  return {
    ok: false,
    reason: policy.domains.length > 0 ? 'domain_not_allowed' : 'email_not_allowed',
    emailDomain,
  };
}

/** Could an invitation turn this refusal into an admission? (Only a verified address can be invited.) */
export function invitationMayAdmit(decision: Admission): boolean {
  return !decision.ok && decision.reason !== 'email_missing' && decision.reason !== 'email_unverified';
}

/** The audit `detail` of a refusal: the reason and the email's domain, never the address. */
export function refusalDetail(decision: Extract<Admission, { ok: false }>): string {
  return decision.emailDomain ? `${decision.reason} ${decision.emailDomain}` : decision.reason;
}
