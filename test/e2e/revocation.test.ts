import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CookieJar } from '../support/cookies';
import { type ApiFetch, signInFlow } from '../support/sign-in-flow';
import type { RunningExample } from './examples';
import { type RunningSitewide, startLocalhostSitewide } from './harness';
import { apiFetchFor, startExpressSibling } from './http';

// The revocation bound of docs/sessions.md, measured end to end: a real Sitewide under wrangler dev with the
// default token lifetime (SESSION_TOKEN_TTL, 10 minutes) and the default REVOCATION_POLL (5 s), two
// browsers of one user, and "sign out everywhere" from the second. The first browser's cookie must
// be refused with 401 session_revoked well before its token expires: at Sitewide, and at a sibling
// backend on @sitewide/verify (the Express example) that polls /.well-known/sitewide-revocations.

const AUDIENCE = 'https://billing.example.test';
const COOKIE = 'sitewide.session';
/** The bound asserted: REVOCATION_POLL (5 s) plus ample slack for the feed write and a poll. */
const BOUND_MS = 10_000;
const PROBE_EVERY_MS = 250;

let sitewide: RunningSitewide | undefined;
let backend: RunningExample | undefined;
let backendUrl: string;
let origin: string;
let api: ApiFetch;
let first: CookieJar;
let second: CookieJar;
let third: CookieJar;
let fourth: CookieJar;

beforeAll(async () => {
  ({ sitewide, origin } = await startLocalhostSitewide(AUDIENCE));
  api = apiFetchFor(origin);
  const identity = { sub: 'revoked-user', email: 'revoked@example.test' };
  ({ jar: first } = await signInFlow(api, origin, identity, { callbackUrl: '/api/me', userAgent: 'browser-one' }));
  ({ jar: second } = await signInFlow(api, origin, identity, { callbackUrl: '/api/me', userAgent: 'browser-two' }));
  // Another user, whom an operator signs out with `npm run admin` (D1 written by wrangler, not the Worker).
  const operated = { sub: 'operated-user', email: 'operated@example.test' };
  ({ jar: third } = await signInFlow(api, origin, operated, { callbackUrl: '/api/me', userAgent: 'browser-three' }));
  ({ jar: fourth } = await signInFlow(api, origin, operated, { callbackUrl: '/api/me', userAgent: 'browser-four' }));
  backend = await startExpressSibling(origin, AUDIENCE);
  backendUrl = backend.url;
});

afterAll(async () => {
  await backend?.stop();
  await sitewide?.stop();
});

interface Answer {
  status: number;
  code: string | undefined;
  id: string | undefined;
}

async function answerOf(res: Response): Promise<Answer> {
  const body = (await res.json().catch(() => ({}))) as {
    id?: string;
    error?: { code?: string };
    user?: { id?: string };
  };
  return { status: res.status, code: body.error?.code, id: body.id ?? body.user?.id };
}

/** GET /api/me at Sitewide with exactly this cookie (the jar is never updated from the answer). */
async function atSitewide(cookie: string): Promise<Answer> {
  return answerOf(await fetch(new URL('/api/me', origin), { headers: { cookie }, redirect: 'manual' }));
}

/** GET /whoami at the Express sibling (@sitewide/verify/express) with exactly this cookie. */
async function atSibling(cookie: string): Promise<Answer> {
  return answerOf(await fetch(`${backendUrl}/whoami`, { headers: { cookie } }));
}

/**
 * Probes every PROBE_EVERY_MS until the answer is 401 session_revoked or BOUND_MS have passed since
 * `revokedAt`; answers the delay (ms) at which it was first refused, or null, and every other answer seen.
 */
async function refusalDelay(
  probe: () => Promise<Answer>,
  revokedAt: number,
): Promise<{ delay: number | null; before: Answer[] }> {
  const before: Answer[] = [];
  for (;;) {
    const answer = await probe();
    const delay = Date.now() - revokedAt;
    if (answer.status === 401 && answer.code === 'session_revoked') return { delay, before };
    before.push(answer);
    if (delay > BOUND_MS) return { delay: null, before };
    await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
  }
}

describe('sign out everywhere reaches the other browser within seconds, not the token lifetime', () => {
  it('refuses the first browser at Sitewide and at a sibling on @sitewide/verify within 10 s', async () => {
    const cookie = `${COOKIE}=${first.get(COOKIE)}`;
    expect(first.get(COOKIE)).toBeTruthy();
    expect(second.get(COOKIE)).toBeTruthy();
    expect(first.get(COOKIE)).not.toBe(second.get(COOKIE));

    // Both browsers are signed in as the same user; the sibling accepts the first's cookie (and has
    // read Sitewide's metadata and the revocation feed by then, as a running backend would have).
    const one = await atSitewide(cookie);
    const two = await answerOf(await api('/api/me', { jar: second }));
    expect(one).toMatchObject({ status: 200 });
    expect(two).toMatchObject({ status: 200, id: one.id });
    expect(await atSibling(cookie)).toMatchObject({ status: 200, id: one.id });

    const revoke = await api('/api/sessions/revoke-all', { method: 'POST', jar: second, headers: { origin } });
    expect(revoke.status).toBe(200);
    const revokedAt = Date.now();
    expect(((await revoke.json()) as { revoked: number }).revoked).toBe(2);

    const [api401, sibling401] = await Promise.all([
      refusalDelay(() => atSitewide(cookie), revokedAt),
      refusalDelay(() => atSibling(cookie), revokedAt),
    ]);
    console.log(
      `revocation delays (revoke-all answered → 401 session_revoked, probing every ${PROBE_EVERY_MS} ms): ` +
        `Sitewide ${api401.delay ?? 'not within bound'} ms, Express sibling (@sitewide/verify) ${sibling401.delay ?? 'not within bound'} ms`,
    );

    // Until refused, the cookie was still accepted: no other failure stood in for the revocation.
    for (const answer of [...api401.before, ...sibling401.before]) expect(answer).toMatchObject({ status: 200 });
    expect(api401.delay).not.toBeNull();
    expect(api401.delay).toBeLessThanOrEqual(BOUND_MS);
    expect(sibling401.delay).not.toBeNull();
    expect(sibling401.delay).toBeLessThanOrEqual(BOUND_MS);
  });
});

describe('an operator revocation (npm run admin, D1 written outside the Worker) reaches the feed too', () => {
  it('npm run admin -- sessions revoke: both browsers of the user refused at Sitewide and at the sibling within 10 s', async () => {
    const cookies = [third, fourth].map((jar) => `${COOKIE}=${jar.get(COOKIE)}`);
    for (const cookie of cookies) {
      expect(await atSitewide(cookie)).toMatchObject({ status: 200 });
      expect(await atSibling(cookie)).toMatchObject({ status: 200 });
    }
    const persistDir = sitewide?.persistDir ?? '';
    const run = spawnSync(
      'npm',
      [
        'run',
        '--silent',
        'admin',
        '--',
        'sessions',
        'revoke',
        'operated@example.test',
        '--local',
        '--persist-to',
        persistDir,
      ],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('2');
    const revokedAt = Date.now();

    const delays = await Promise.all(
      cookies.flatMap((cookie) => [
        refusalDelay(() => atSitewide(cookie), revokedAt),
        refusalDelay(() => atSibling(cookie), revokedAt),
      ]),
    );
    console.log(
      `operator revocation delays (npm run admin exited → 401 session_revoked): ` +
        delays.map((d) => d.delay ?? 'not within bound').join(', ') +
        ' ms (Sitewide, sibling; per browser)',
    );
    for (const { delay, before } of delays) {
      for (const answer of before) expect(answer).toMatchObject({ status: 200 });
      expect(delay).not.toBeNull();
      expect(delay).toBeLessThanOrEqual(BOUND_MS);
    }
  });
});
