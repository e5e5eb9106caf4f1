/** The Google id_token claims the loopback OIDC server puts in for one test or dev user. */
export interface GoogleIdentity {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  picture: string;
  /** The Google Workspace domain of the account; absent for consumer (gmail.com) accounts. */
  hd?: string;
}

/** The claims every identity starts from (no `hd`: a consumer account unless a hint says otherwise). */
const BASE_IDENTITY: GoogleIdentity = {
  sub: '100000000000000000001',
  email: 'dev@example.test',
  email_verified: true,
  name: 'Dev User',
  picture: 'https://example.test/avatar/dev.png',
};

/**
 * The dev user of `npm run dev`: a Workspace account of example.test, so
 * `ALLOWED_EMAIL_DOMAINS=example.test` admits it there.
 */
export const DEFAULT_IDENTITY: GoogleIdentity = { ...BASE_IDENTITY, hd: 'example.test' };

/**
 * Which account "signs in at Google": the `login_hint` authorization parameter
 * as a JSON object of claims, an email address, or nothing for the dev user.
 * Claims without an email get one of their own, `<sub>@example.test`: as at
 * Google, another account has another address (one verified address signs in
 * as one user only: docs/access.md).
 */
export function identityFromHint(hint: string | null): GoogleIdentity {
  if (!hint) return DEFAULT_IDENTITY;
  if (hint.startsWith('{')) {
    const claims = JSON.parse(hint) as Partial<GoogleIdentity>;
    const own = claims.sub ? { email: `${claims.sub.replace(/[^A-Za-z0-9._+-]/g, '-')}@example.test` } : {};
    return { ...BASE_IDENTITY, ...own, ...claims };
  }
  const local = hint.split('@')[0] ?? hint;
  return { ...BASE_IDENTITY, sub: `sub-${hint}`, email: hint, name: local };
}
