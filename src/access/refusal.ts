import { type AdmissionPolicy, CONSUMER_GOOGLE_DOMAINS, REFUSAL_REASONS, type SignInRefusal } from './admission';

/** The `reason` of /auth/error, when it is one of ours (it only picks a message: anyone can type the URL). */
export function refusalReasonOf(value: string | undefined): SignInRefusal | undefined {
  return value !== undefined && REFUSAL_REASONS.has(value as SignInRefusal) ? (value as SignInRefusal) : undefined;
}

const MESSAGES: Record<SignInRefusal, string> = {
  email_missing:
    'Google did not share the email address of the account you chose, so this site cannot tell who you are.',
  email_unverified: 'Google has not verified the email address of the account you chose.',
  hd_mismatch:
    "The account you chose has an address on an admitted domain, but it is not one of that organisation's Google Workspace accounts.",
  domain_not_allowed: 'The Google account you chose is not one this site admits.',
  email_not_allowed: 'The Google account you chose is not one this site admits.',
  workspace_inactive:
    "Your organisation's Google Workspace has suspended or removed this account; ask your administrator.",
  account_conflict: 'This address already belongs to another Google account; ask an operator.',
};

export function refusalMessage(reason: SignInRefusal): string {
  return MESSAGES[reason];
}

/**
 * Which accounts this site admits, in one sentence: the listed domains (never
 * the ALLOWED_EMAILS addresses, which are people's own).
 */
export function admittedAccounts(policy: AdmissionPolicy): string {
  const workspace = policy.domains.filter((d) => !CONSUMER_GOOGLE_DOMAINS.has(d));
  const consumer = policy.domains.filter((d) => CONSUMER_GOOGLE_DOMAINS.has(d));
  const kinds = [
    ...(workspace.length ? [`Google Workspace accounts of ${workspace.join(', ')}`] : []),
    ...(consumer.length ? [`personal Google accounts (${consumer.map((d) => `@${d}`).join(', ')})`] : []),
  ];
  if (kinds.length === 0) return 'This site admits only people it has invited.';
  return `This site admits ${kinds.join(' and ')}, and people it has invited.`;
}

/**
 * What the refusal page says under the message: for an address that belongs
 * to another Google account, what an operator can do; else which accounts the
 * site admits (admittedAccounts).
 */
export function refusalFollowUp(reason: SignInRefusal, policy: AdmissionPolicy): string {
  if (reason === 'account_conflict') {
    return 'Sign in with the Google account you used before, or ask an operator to move the address to this one.';
  }
  return admittedAccounts(policy);
}
