import { describe, expect, it } from 'vitest';
import type { GoogleIdentity } from '../scripts/google-identity';
import { setCookies } from './support/cookies';
import { rows, run } from './support/db';
import { codeOf, FROM_APP } from './support/http';
import { apiWith, signInTo } from './support/policy';
import { sessionOf } from './support/sign-in';
import { mint } from './support/tokens';
import { SESSION_COOKIE } from './support/worker';

const MINUTE = 60_000;
const open = apiWith({});
const acme = apiWith({ ALLOWED_EMAIL_DOMAINS: 'acme.test' });

/** Signs in while anyone may, then holds the session's token re-minted as expired (the next request refreshes). */
async function openSession(identity: Partial<GoogleIdentity> & { sub: string }) {
  const { userId, sid } = sessionOf((await signInTo(open, identity)).jar);
  const expired = await mint({ sub: userId, sid, now: new Date(Date.now() - 11 * MINUTE) });
  return { userId, sid, cookie: `${SESSION_COOKIE}=${expired}` };
}

const refreshFailures = (sid: string) =>
  rows<{ detail: string }>('auth_events', "kind = 'refresh_failed' AND session_id = ?", sid);

describe('refresh re-checks the admission policy (same D1 round trip)', () => {
  it('a user the policy admits is refreshed', async () => {
    const { cookie } = await openSession({ sub: 'rf-ann', email: 'ann@acme.test', hd: 'acme.test' });
    const res = await acme('/api/me', { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(setCookies(res).some((c) => c.name === SESSION_COOKIE && c.value)).toBe(true);
  });

  it('a user of another domain is refused: 403 access_denied, no new cookie, an audit row with the reason', async () => {
    const { sid, cookie } = await openSession({ sub: 'rf-stranger', email: 'stranger@example.org' });
    const res = await acme('/api/me', { headers: { cookie } });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('access_denied');
    expect(setCookies(res).some((c) => c.name === SESSION_COOKIE && c.value)).toBe(false);
    expect(await refreshFailures(sid)).toEqual([
      expect.objectContaining({ detail: 'access_denied domain_not_allowed example.org' }),
    ]);
  });

  it('the stored hd is checked: a consumer account with an address on the Workspace domain is refused', async () => {
    const { sid, cookie } = await openSession({ sub: 'rf-nohd', email: 'mallory@acme.test' });
    const res = await acme('/api/me', { headers: { cookie } });
    expect(res.status).toBe(403);
    expect(await refreshFailures(sid)).toMatchObject([{ detail: 'access_denied hd_mismatch acme.test' }]);
  });

  it('an unverified email is refused', async () => {
    const { cookie } = await openSession({
      sub: 'rf-unverified',
      email: 'u@acme.test',
      email_verified: false,
      hd: 'acme.test',
    });
    expect(await codeOf(await acme('/api/me', { headers: { cookie } }))).toBe('access_denied');
  });

  it('an invitation admits at refresh too, and removing it refuses the next refresh', async () => {
    await run("INSERT INTO invitations (email, invited_at) VALUES ('guest@elsewhere.test', 1)");
    const { sid, cookie } = await openSession({ sub: 'rf-guest', email: 'Guest@Elsewhere.test' });
    expect((await acme('/api/me', { headers: { cookie } })).status).toBe(200);
    await run("DELETE FROM invitations WHERE email = 'guest@elsewhere.test'");
    const res = await acme('/api/me', { headers: { cookie } });
    expect(res.status).toBe(403);
    expect(await refreshFailures(sid)).toMatchObject([{ detail: 'access_denied domain_not_allowed elsewhere.test' }]);
  });

  it('an invitation accepted by another user does not admit this one (a user sharing the address from before the rule)', async () => {
    const { userId: first } = await openSession({ sub: 'rf-shared-1', email: 'shared@elsewhere.test' });
    await run(
      "INSERT INTO invitations (email, invited_at, accepted_at, accepted_by) VALUES ('shared@elsewhere.test', 1, 1, ?)",
      first,
    );
    // A second user of the address can only predate one address, one user: as migration 0006 left it.
    const other = await openSession({ sub: 'rf-shared-2', email: 'shared2@elsewhere.test' });
    await run("UPDATE users SET email = 'shared@elsewhere.test', email_normalized = NULL WHERE id = ?", other.userId);
    expect((await acme('/api/me', { headers: { cookie: other.cookie } })).status).toBe(403);
  });

  it('a fresh token is not re-checked: the refusal comes within one token lifetime', async () => {
    const { jar } = await signInTo(open, { sub: 'rf-fresh', email: 'fresh@example.org' });
    expect((await acme('/api/me', { jar })).status).toBe(200);
  });

  it('POST /auth/token checks the policy too: a refused user cannot mint', async () => {
    const { jar } = await signInTo(open, { sub: 'rf-mint', email: 'mint@example.org' });
    const res = await acme('/auth/token', {
      method: 'POST',
      jar,
      headers: { 'content-type': 'application/json', ...FROM_APP },
      body: JSON.stringify({ audience: 'reports' }),
    });
    expect(res.status).toBe(403);
    expect(await codeOf(res)).toBe('access_denied');
  });

  it('with no policy configured, refresh admits everyone as before', async () => {
    const { cookie } = await openSession({ sub: 'rf-open', email: 'x@wherever.test', email_verified: false });
    expect((await open('/api/me', { headers: { cookie } })).status).toBe(200);
  });
});
