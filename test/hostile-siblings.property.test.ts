// Hostile sibling subdomains, as properties. A browser's Cookie header to the API mixes the victim's genuine
// session cookie with copies a sibling (evil.example.test) tossed for Domain=example.test, Auth.js chunk names
// (`.0`, `.1`), look-alike names, stale or forged Auth.js flow cookies and plain noise, in any order. Whatever
// the jar, no route answers 5xx, /api/me names nobody but the owner of the one genuine session cookie, no
// response plants a session cookie for anyone else, and signing out revokes every session whose genuine token
// rode in any copy of the session cookie.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { setCookies } from './support/cookies';
import { rows } from './support/db';
import {
  anyJar,
  type Cookie,
  cookie,
  cookieHeader,
  expiredTwin,
  FLOW_COOKIES,
  type Genuine,
  garbage,
  garbageLabel,
  LOOKALIKES,
  OTHER_NAMES,
  type Pool,
  pool,
  signedIn,
} from './support/hostile-jars';
import {
  errorShapeViolation,
  exactValues,
  failWith,
  isSessionCookieName,
  sessionCookieViolations,
  soleGenuine,
} from './support/hostile-model';
import { type CsrfPair, csrfPair, everyRoute, routeParams, send } from './support/hostile-routes';
import { APP_ORIGIN, BYE, codeOf, FORM } from './support/http';
import { mint, strangerKeys } from './support/tokens';
import { api, SESSION_COOKIE } from './support/worker';

/** Runs per property. The route properties send 14 requests a run; a sign-out run signs in 3 sessions. */
const RUNS = { routes: 80, identity: 100, setCookie: 80, session: 50, signOut: 40 };
const TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------------------
// Properties

let shared: Pool;
let identity: Pool;
let csrf: CsrfPair;

beforeAll(async () => {
  // Sessions of `shared` get revoked along the way (sign-out, revoke-all); `identity` is never sent to a route
  // that revokes, so its fresh tokens stay usable and its expired twins stay refreshable.
  shared = await pool('shared');
  identity = await pool('identity');
  csrf = await csrfPair();
}, TIMEOUT_MS);

describe('hostile sibling cookie jars (properties)', () => {
  it(
    `no route answers 5xx; every error is {"error":{"code","message"}} (${RUNS.routes} jars × 16 routes)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(anyJar(shared), routeParams, async (jar, params) => {
          const violations: string[] = [];
          for (const { call, res } of await send(everyRoute(jar, params, csrf))) {
            const violation = await errorShapeViolation(res);
            if (violation) violations.push(`${call.label}: ${violation}`);
          }
          failWith(violations, jar);
        }),
        { numRuns: RUNS.routes },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `GET /api/me: 200 only for the sole genuine ${SESSION_COOKIE}, and only as its owner (${RUNS.identity} jars)`,
    async () => {
      let accepted = 0;
      let duplicates = 0;
      await fc.assert(
        fc.asyncProperty(anyJar(identity), async (jar) => {
          const res = await api('/api/me', { headers: jar.length ? { cookie: cookieHeader(jar) } : {} });
          const copies = exactValues(jar).length;
          const sole = soleGenuine(jar, identity);
          const violations = sessionCookieViolations(res, jar, identity);
          const shape = await errorShapeViolation(res);
          if (shape) violations.push(shape);
          const code = res.status >= 400 ? await codeOf(res) : undefined;
          const got = `${res.status}${code ? ` ${String(code)}` : ''}`;
          if (copies >= 2) {
            duplicates++;
            if (res.status !== 401 || code !== 'invalid_session') {
              violations.push(`${copies} copies of ${SESSION_COOKIE}: expected 401 invalid_session, got ${got}`);
            }
          } else if (copies === 0) {
            if (res.status !== 401 || code !== 'missing_session') {
              violations.push(
                `no ${SESSION_COOKIE} (only chunks/other cookies): expected 401 missing_session, got ${got}`,
              );
            }
          } else if (!sole) {
            if (res.status !== 401) violations.push(`one non-genuine ${SESSION_COOKIE}: expected 401, got ${got}`);
          } else {
            // The one exact-name copy is genuine: 200 as its owner. Alongside chunk or look-alike names a
            // refusal is also acceptable (ambiguity), but never another identity.
            const alone = !jar.some((c) => c.name !== SESSION_COOKIE && isSessionCookieName(c.name));
            if (res.status === 200) {
              accepted++;
              const { id } = (await res.clone().json()) as { id?: unknown };
              if (id !== sole.userId) violations.push(`${sole.label} sent alone; /api/me answered as ${String(id)}`);
              if (!sole.fresh && !setCookies(res).some((c) => c.name === SESSION_COOKIE && c.value !== '')) {
                violations.push(`${sole.label} was refreshed (200) without a new ${SESSION_COOKIE}`);
              }
            } else if (alone || res.status !== 401) {
              violations.push(`${sole.label} sent as the only session cookie: expected 200, got ${got}`);
            }
          }
          failWith(violations, jar);
        }),
        { numRuns: RUNS.identity },
      );
      // The generator must reach both the accepting and the duplicate branches, or the property says little.
      expect(accepted).toBeGreaterThan(0);
      expect(duplicates).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    `no route sets ${SESSION_COOKIE} except to the identity of the sole genuine copy (${RUNS.setCookie} jars × 16 routes)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(anyJar(shared), routeParams, async (jar, params) => {
          const violations: string[] = [];
          for (const { call, res } of await send(everyRoute(jar, params, csrf))) {
            // The genuine CSRF cookie added to some calls is no session cookie: the model's jar is still `jar`.
            for (const v of sessionCookieViolations(res, jar, shared)) violations.push(`${call.label}: ${v}`);
            // GET /auth/session re-issues nothing, not even for the sole genuine copy.
            if (call.path === '/auth/session' && setCookies(res).some((c) => isSessionCookieName(c.name) && c.value)) {
              violations.push(`${call.label}: re-issues the session cookie`);
            }
          }
          failWith(violations, jar);
        }),
        { numRuns: RUNS.setCookie },
      );
    },
    TIMEOUT_MS,
  );

  it(
    `GET /auth/session answers 404 not_found and re-issues nothing (${RUNS.session} jars)`,
    async () => {
      await fc.assert(
        fc.asyncProperty(anyJar(shared), async (jar) => {
          const res = await api('/auth/session', { headers: jar.length ? { cookie: cookieHeader(jar) } : {} });
          const violations: string[] = [];
          const code = res.status >= 400 ? await codeOf(res).catch(() => 'not JSON') : undefined;
          if (res.status !== 404 || code !== 'not_found') {
            violations.push(`expected 404 not_found, got ${res.status} ${String(code ?? '')}`.trim());
          }
          for (const c of setCookies(res)) {
            if (isSessionCookieName(c.name)) violations.push(`sets ${c.name}=<${c.value.length} chars>`);
          }
          failWith(violations, jar);
        }),
        { numRuns: RUNS.session },
      );
    },
    TIMEOUT_MS,
  );

  describe('POST /auth/signout with a valid CSRF pair', () => {
    /** Where one of the run's sessions goes: whole in a session-cookie copy, split over .0/.1, or forged. */
    interface Placement {
      session: number;
      as: 'exact' | '.0' | '.1' | 'split' | 'forged';
      expired: boolean;
      at: number;
    }

    /** Copies and cookies that name none of the run's sessions (no tossed CSRF cookie: the pair stays unambiguous). */
    function signOutPlan() {
      const nonGenuine = fc.oneof(
        fc.constantFrom(...shared.forged),
        garbage.map((v): [string, string] => [garbageLabel(v), v]),
      );
      const copies = fc.array(
        fc
          .tuple(
            fc.constantFrom(SESSION_COOKIE, `${SESSION_COOKIE}.0`, `${SESSION_COOKIE}.1`, `${SESSION_COOKIE}.2`),
            nonGenuine,
          )
          .map(([name, [label, v]]) => cookie(name, v, label)),
        { maxLength: 2 },
      );
      const others = fc.array(
        fc
          .tuple(
            fc.constantFrom(...FLOW_COOKIES.filter((n) => !n.endsWith('csrf-token')), ...LOOKALIKES, ...OTHER_NAMES),
            garbage,
          )
          .map(([name, v]) => cookie(name, v, garbageLabel(v))),
        { maxLength: 3 },
      );
      // At most 3 placements (a split is 2 copies) + 2 noise copies: never more than 8 session-cookie copies.
      return fc.record({
        sameUser: fc.boolean(),
        placements: fc.array(
          fc.record<Placement>({
            session: fc.nat({ max: 2 }),
            as: fc.constantFrom<Placement['as']>('exact', '.0', '.1', 'split', 'forged'),
            expired: fc.boolean(),
            at: fc.nat(),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        copies,
        others,
        order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        csrfAt: fc.nat(),
      });
    }

    let run = 0;
    /** How often the generator reached the interesting shapes (checked after the property). */
    const reached = { chunkCopy: 0, duplicate: 0, control: 0 };

    it(
      `revokes every session whose genuine token is in any session-cookie copy, and no other (${RUNS.signOut} jars)`,
      async () => {
        await fc.assert(
          fc.asyncProperty(signOutPlan(), async ({ sameUser, placements, copies, others, order, csrfAt }) => {
            run++;
            // Three fresh sessions per run: some placed, the rest are controls that must stay live.
            const sessions: Genuine[] = [];
            for (let i = 0; i < 3; i++) {
              sessions.push(await signedIn(`leaver-${run}-${sameUser ? 0 : i}`, `S${i}`, `run-${run}`));
            }
            const whole = new Set<number>();
            const split = new Set<number>();
            const jar: Cookie[] = [...copies, ...others];
            for (const p of placements) {
              const s = sessions[p.session] as Genuine;
              const g = p.expired ? await expiredTwin(s) : s;
              if (p.as === 'forged') {
                const token = await mint({ sub: s.userId, sid: s.sid, keys: await strangerKeys('test-key-1') });
                jar.push(cookie(SESSION_COOKIE, token, `${s.label}-by-stranger-key`));
              } else if (p.as === 'split') {
                split.add(p.session);
                const k = 1 + (p.at % (g.token.length - 1));
                jar.push(cookie(`${SESSION_COOKIE}.0`, g.token.slice(0, k), `${g.label}[0,${k})`));
                jar.push(cookie(`${SESSION_COOKIE}.1`, g.token.slice(k), `${g.label}[${k},)`));
              } else {
                whole.add(p.session);
                jar.push(cookie(p.as === 'exact' ? SESSION_COOKIE : `${SESSION_COOKIE}${p.as}`, g.token, g.label));
              }
            }
            // A random order, then the genuine CSRF cookie somewhere in it.
            const ordered = jar
              .map((c, i) => ({ c, key: (order[i % order.length] ?? 0) * 16 + i }))
              .sort((x, y) => x.key - y.key)
              .map(({ c }) => c);
            ordered.splice(csrfAt % (ordered.length + 1), 0, csrf.cookie);

            if (placements.some((p) => p.as === '.0' || p.as === '.1')) reached.chunkCopy++;
            if (ordered.filter((c) => c.name === SESSION_COOKIE).length > 1) reached.duplicate++;
            if (sessions.some((_, i) => !whole.has(i) && !split.has(i))) reached.control++;

            const res = await api('/auth/signout', {
              method: 'POST',
              headers: { ...FORM, origin: APP_ORIGIN, cookie: cookieHeader(ordered) },
              body: new URLSearchParams({ csrfToken: csrf.token, callbackUrl: BYE }),
            });
            const violations: string[] = [];
            if (res.status !== 302) violations.push(`expected 302, got ${res.status}`);
            for (const c of setCookies(res)) {
              if (isSessionCookieName(c.name) && c.value !== '') violations.push(`sets ${c.name} to a non-empty value`);
            }
            for (const [i, s] of sessions.entries()) {
              const [row] = await rows<{ revoked_at: number | null; user_id: string }>('sessions', 'id = ?', s.sid);
              const events = await rows<{ user_id: string }>(
                'auth_events',
                "session_id = ? AND kind = 'sign_out'",
                s.sid,
              );
              if (whole.has(i)) {
                if (row?.revoked_at == null)
                  violations.push(`${s.label} was in a session-cookie copy but is not revoked`);
                if (events.length !== 1 || events[0]?.user_id !== s.userId) {
                  violations.push(`${s.label} revoked: expected 1 sign_out event for its user, found ${events.length}`);
                }
              } else if (!split.has(i)) {
                if (row?.revoked_at != null) violations.push(`${s.label} was in no session-cookie copy but is revoked`);
                if (events.length > 0)
                  violations.push(`${s.label} was in no session-cookie copy but has a sign_out event`);
              } else if (events.length > 1) {
                violations.push(`${s.label} (split over .0/.1): ${events.length} sign_out events`);
              }
            }
            failWith(violations, ordered);
          }),
          { numRuns: RUNS.signOut },
        );
      },
      TIMEOUT_MS,
    );
  });
});
