// Hostile sibling subdomains, as properties. A browser's Cookie header to the API mixes the victim's genuine
// session cookie with copies a sibling (evil.example.test) tossed for Domain=example.test, Auth.js chunk names
// (`.0`, `.1`), look-alike names, stale or forged Auth.js flow cookies and plain noise, in any order. Whatever
// the jar, no route answers 5xx, /api/me names nobody but the owner of the one genuine session cookie, no
// response plants a session cookie for anyone else, and signing out revokes every session whose genuine token
// rode in any copy of the session cookie.
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { setCookies } from './support/cookies';
import { rows } from './support/db';
import { APP_ORIGIN, BYE, codeOf, FORM } from './support/http';
import { sessionOf, signIn } from './support/sign-in';
import { hmacWithPublicKey, mint, strangerKeys, tamper, unsignedToken } from './support/tokens';
import { api, SESSION_COOKIE } from './support/worker';

/** Runs per property. The route properties send 14 requests a run; a sign-out run signs in 3 sessions. */
const RUNS = { routes: 80, identity: 100, setCookie: 80, session: 50, signOut: 40 };
const TIMEOUT_MS = 120_000;

const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------------------
// Cookies and ingredients

/** One cookie of a generated jar. `label` says what it is; counterexamples print it instead of a 5 kB value. */
interface Cookie {
  name: string;
  value: string;
  label: string;
}

function cookie(name: string, value: string, label: string): Cookie {
  return Object.assign({ name, value, label }, { [fc.toStringMethod]: () => `${name}=<${label}>` });
}

/** What the browser sends: the jar in order, one `name=value` per cookie. */
const cookieHeader = (jar: readonly Cookie[]) => jar.map((c) => `${c.name}=${c.value}`).join('; ');

/** A token of a real session: fresh as signed in, or the same session's token past its `exp`. */
interface Genuine {
  token: string;
  userId: string;
  sid: string;
  fresh: boolean;
  label: string;
}

async function signedIn(sub: string, label: string, userAgent = 'sitewide-property'): Promise<Genuine> {
  const { token, userId, sid } = sessionOf((await signIn({ sub }, { userAgent })).jar);
  return { token, userId, sid, fresh: true, label };
}

const anHourAgo = () => new Date(Date.now() - HOUR_MS);

/** The same session, genuine but past its `exp`: the server must ask D1 (refresh, or revoke on sign-out). */
async function expiredTwin(g: { userId: string; sid: string; label: string }): Promise<Genuine> {
  const token = await mint({ sub: g.userId, sid: g.sid, now: anHourAgo() });
  return { token, userId: g.userId, sid: g.sid, fresh: false, label: `${g.label}~expired` };
}

/**
 * Tokens that must never authenticate anyone: signed with the server key for a user or session that does not
 * exist (fresh ones only for users that do not exist: a fresh server-signed token is not checked against D1),
 * cross-bound (A's user id with B's session), stranger keys, other audience or issuer, tampered, alg confusion.
 */
async function forgeries(a: Genuine, b: Genuine): Promise<Array<[label: string, token: string]>> {
  return [
    ['ghost-user', await mint({ sub: 'ghost-user', sid: 'ghost-session' })],
    ['ghost-user~expired', await mint({ sub: 'ghost-user', sid: 'ghost-session', now: anHourAgo() })],
    [`${a.label}-user+no-session~expired`, await mint({ sub: a.userId, sid: 'no-such-session', now: anHourAgo() })],
    [`${a.label}-user+${b.label}-session~expired`, await mint({ sub: a.userId, sid: b.sid, now: anHourAgo() })],
    [`${a.label}-by-stranger-key`, await mint({ sub: a.userId, sid: a.sid, keys: await strangerKeys() })],
    [
      `${a.label}-by-stranger-key-same-kid`,
      await mint({ sub: a.userId, sid: a.sid, keys: await strangerKeys('test-key-1') }),
    ],
    [`${a.label}-for-billing`, await mint({ sub: a.userId, sid: a.sid, audience: 'https://billing.example.test' })],
    [`${a.label}-from-evil-issuer`, await mint({ sub: a.userId, sid: a.sid, issuer: 'https://evil.example.test' })],
    [`${a.label}-tampered-to-${b.label}`, tamper(a.token, { sub: b.userId, sid: b.sid })],
    ['alg-none', unsignedToken()],
    ['hs256-with-public-key', await hmacWithPublicKey()],
  ];
}

/** A set of real sessions to draw from, with their expired twins and forgeries naming them. */
interface Pool {
  genuine: Genuine[];
  byToken: Map<string, Genuine>;
  forged: Array<[string, string]>;
}

async function pool(prefix: string): Promise<Pool> {
  const a1 = await signedIn(`${prefix}-a`, `${prefix}A1`);
  const a2 = await signedIn(`${prefix}-a`, `${prefix}A2`); // A's second browser
  const b = await signedIn(`${prefix}-b`, `${prefix}B`);
  const c = await signedIn(`${prefix}-c`, `${prefix}C`);
  const fresh = [a1, a2, b, c];
  const genuine = [...fresh, await expiredTwin(a1), await expiredTwin(b)];
  return { genuine, byToken: new Map(genuine.map((g) => [g.token, g])), forged: await forgeries(a1, b) };
}

/** Auth.js flow cookies a sibling can toss (and `__Host-` ones a buggy or stale client might still send). */
const FLOW_COOKIES = [
  '__Secure-authjs.state',
  '__Secure-authjs.pkce.code_verifier',
  '__Secure-authjs.nonce',
  '__Secure-authjs.callback-url',
  'authjs.callback-url',
  '__Host-authjs.callback-url',
  '__Host-authjs.csrf-token',
];
/** Names that are not the session cookie but start like it, or differ only in case or prefix. */
const LOOKALIKES = [
  `${SESSION_COOKIE}x`,
  `${SESSION_COOKIE}.`,
  `${SESSION_COOKIE}.x`,
  `${SESSION_COOKIE}-token`,
  '__secure-sitewide.session',
  '__Host-sitewide.session',
  'sitewide.session',
  '__Secure-sitewide',
  '__Secure-authjs.session-token',
];
const OTHER_NAMES = ['theme', 'lang', '_ga', '__proto__', 'constructor', 'toString', 'a'];

/** URLs and text a sibling or a crafted link can put in a callback URL, an error kind or a cookie. */
const HOSTILE_TEXT = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.cookie)',
  '%',
  '%%',
  '%E0%A4%A',
  '%00',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'https://app.example.test:9443.evil.test/',
  'https://app.example.test.evil.test/',
  'https://evil.example.test/steal',
  '//evil.test/',
  '/\\evil.test',
  'https://user:pw@app.example.test/',
  'https://app.example.test/ok',
  '/relative?x=1',
  'not a url',
  'http://[::1',
  '"quoted"',
  'a=b=c',
  '=',
  ' ',
  'é',
  '会话',
  '🍪',
  '__proto__',
];

/**
 * Cookie values cannot carry `;` (it ends the pair) nor CR, LF, NUL (no header can). Non-ASCII is
 * percent-encoded: workerd logs a warning for every raw one (megabytes per run); one raw UTF-8
 * cookie is sent by test/hostile-siblings.test.ts instead.
 */
const cookieSafe = (s: string) =>
  s.replace(/[;\r\n\0]/g, '').replace(/[\u{80}-\u{10ffff}]+/gu, (chars) => encodeURIComponent(chars));

const huge = (prefix = '') => fc.nat({ max: 400 }).map((n) => `${prefix}${'x'.repeat(4800 + n)}`);

/** Garbage values: empty, ASCII and non-ASCII noise, base64ish, hostile URLs, ~5000 chars. */
const garbage: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom(...HOSTILE_TEXT),
    fc.constant(''),
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.base64String({ maxLength: 200 }),
    huge(),
  )
  .map(cookieSafe);

/** Short description of a garbage value for counterexamples. */
const garbageLabel = (v: string) => (v.length > 40 ? `garbage(${v.length} chars)` : `garbage ${JSON.stringify(v)}`);

/** Callback URLs / error kinds for query strings and forms (no cookie-safety needed there). */
const hostileUrl: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXT),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  huge(`${APP_ORIGIN}/`),
);

/** A value for any copy of the session cookie: a genuine token, a forgery, or garbage. */
function sessionValue(p: Pool): fc.Arbitrary<[label: string, value: string]> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...p.genuine).map((g): [string, string] => [g.label, g.token]) },
    { weight: 2, arbitrary: fc.constantFrom(...p.forged) },
    { weight: 2, arbitrary: garbage.map((v): [string, string] => [garbageLabel(v), v]) },
  );
}

/** Groups of cookies (a split token is two), flattened into a jar and shuffled. */
function jarOf(p: Pool, options: { maxGroups?: number } = {}): fc.Arbitrary<Cookie[]> {
  const value = sessionValue(p);
  const exact = value.map(([label, v]) => [cookie(SESSION_COOKIE, v, label)]);
  const chunk = fc
    .tuple(fc.constantFrom('.0', '.1', '.2', '.10'), value)
    .map(([suffix, [label, v]]) => [cookie(`${SESSION_COOKIE}${suffix}`, v, label)]);
  /** A genuine token split across `.0` and `.1` (in order, or swapped). */
  const split = fc.tuple(fc.constantFrom(...p.genuine), fc.nat(), fc.boolean()).map(([g, at, swapped]) => {
    const k = 1 + (at % (g.token.length - 1));
    const [first, second] = swapped ? ['.1', '.0'] : ['.0', '.1'];
    return [
      cookie(`${SESSION_COOKIE}${first}`, g.token.slice(0, k), `${g.label}[0,${k})`),
      cookie(`${SESSION_COOKIE}${second}`, g.token.slice(k), `${g.label}[${k},)`),
    ];
  });
  const lookalike = fc
    .tuple(fc.constantFrom(...LOOKALIKES), value)
    .map(([name, [label, v]]) => [cookie(name, v, label)]);
  const flow = fc
    .tuple(fc.constantFrom(...FLOW_COOKIES), garbage)
    .map(([name, v]) => [cookie(name, v, garbageLabel(v))]);
  const other = fc
    .tuple(fc.oneof(fc.constantFrom(...OTHER_NAMES), fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/)), garbage)
    .map(([name, v]) => [cookie(name, v, garbageLabel(v))]);
  const group = fc.oneof(
    { weight: 3, arbitrary: exact },
    { weight: 2, arbitrary: chunk },
    { weight: 1, arbitrary: split },
    { weight: 1, arbitrary: lookalike },
    { weight: 2, arbitrary: flow },
    { weight: 1, arbitrary: other },
  );
  return fc.array(group, { maxLength: options.maxGroups ?? 6 }).chain((groups) => shuffled(groups.flat()));
}

const shuffled = <T>(items: T[]) => fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });

/** The victim's one genuine cookie, plus noise that contains no other exact-name copy. */
function soleGenuineJar(p: Pool): fc.Arbitrary<Cookie[]> {
  return fc
    .tuple(
      fc.constantFrom(...p.genuine),
      jarOf(p, { maxGroups: 4 }).map((jar) => jar.filter((c) => c.name !== SESSION_COOKIE)),
    )
    .chain(([g, noise]) => shuffled([cookie(SESSION_COOKIE, g.token, g.label), ...noise]));
}

/** The victim's genuine cookie and a sibling's tossed copy of the same name, either order, plus noise. */
function duplicatedJar(p: Pool): fc.Arbitrary<Cookie[]> {
  return fc
    .tuple(fc.constantFrom(...p.genuine), sessionValue(p), jarOf(p, { maxGroups: 3 }))
    .chain(([g, [label, v], noise]) =>
      shuffled([cookie(SESSION_COOKIE, g.token, g.label), cookie(SESSION_COOKIE, v, `tossed ${label}`), ...noise]),
    );
}

/** Any jar, with the interesting shapes (one genuine copy; a tossed duplicate) well represented. */
const anyJar = (p: Pool) =>
  fc.oneof({ weight: 3, arbitrary: jarOf(p) }, { weight: 1, arbitrary: soleGenuineJar(p) }, duplicatedJar(p));

// ---------------------------------------------------------------------------------------------------------
// The model: what the jar is, and what may come back

const exactValues = (jar: readonly Cookie[]) => jar.filter((c) => c.name === SESSION_COOKIE).map((c) => c.value);

/** The genuine session of the jar's single exact-name session cookie, if there is exactly one such cookie. */
function soleGenuine(jar: readonly Cookie[], p: Pool): Genuine | undefined {
  const values = exactValues(jar);
  return values.length === 1 ? p.byToken.get(values[0] as string) : undefined;
}

const isSessionCookieName = (name: string) => name.startsWith(SESSION_COOKIE);

/** Whose session a token the server set belongs to, in the pool's labels (for failure messages). */
function whose(token: string, p: Pool): string {
  let claims: { sub?: unknown; sid?: unknown };
  try {
    claims = decodeJwt(token);
  } catch {
    return 'a non-JWT';
  }
  const g = p.genuine.find((x) => x.sid === claims.sid && x.userId === claims.sub);
  return g
    ? `a token of ${g.label.replace(/~expired$/, '')}'s session`
    : `a token of ${String(claims.sub)}/${String(claims.sid)}`;
}

/**
 * Set-Cookie headers that plant a (non-empty) session cookie where they may not: only `SESSION_COOKIE` itself,
 * only when the jar had a single genuine copy of it, and only for that copy's user and session.
 */
function sessionCookieViolations(res: Response, jar: readonly Cookie[], p: Pool): string[] {
  const violations: string[] = [];
  const sole = soleGenuine(jar, p);
  for (const c of setCookies(res)) {
    if (!isSessionCookieName(c.name) || c.value === '') continue;
    if (c.name !== SESSION_COOKIE) {
      violations.push(`sets ${c.name}=<${c.value.length} chars>`);
    } else if (!sole) {
      violations.push(`sets ${SESSION_COOKIE} to ${whose(c.value, p)}, but the jar had no single genuine copy of it`);
    } else {
      let claims: { sub?: unknown; sid?: unknown } = {};
      try {
        claims = decodeJwt(c.value);
      } catch {}
      if (claims.sub !== sole.userId || claims.sid !== sole.sid) {
        violations.push(`sets ${SESSION_COOKIE} to ${whose(c.value, p)}; the jar's one copy was ${sole.label}`);
      }
    }
  }
  return violations;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

/** Status >= 500 is a violation; so is a 4xx whose body is not `{"error":{"code","message"}}`. */
async function errorShapeViolation(res: Response): Promise<string | undefined> {
  if (res.status >= 500) return `answered ${res.status}: ${(await res.clone().text()).slice(0, 160)}`;
  if (res.status < 400) return undefined;
  const text = await res.clone().text();
  let body: ErrorBody;
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    return `answered ${res.status} (${res.headers.get('content-type')}) that is not JSON: ${text.slice(0, 120)}`;
  }
  if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') {
    return `answered ${res.status} without {"error":{"code","message"}}: ${text.slice(0, 120)}`;
  }
  return undefined;
}

function failWith(violations: string[], jar: readonly Cookie[]) {
  if (violations.length > 0) {
    throw new Error(
      `${violations.join('\n')}\njar: ${jar.map((c) => `${c.name}=<${c.label}>`).join('; ') || '(empty)'}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// Routes

interface CsrfPair {
  /** `name=value` of the CSRF cookie GET /auth/csrf set. */
  cookie: Cookie;
  token: string;
}

async function csrfPair(): Promise<CsrfPair> {
  const res = await api('/auth/csrf');
  expect(res.status).toBe(200);
  const set = setCookies(res).find((c) => c.name.endsWith('authjs.csrf-token'));
  if (!set) throw new Error('GET /auth/csrf set no CSRF cookie');
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return { cookie: cookie(set.name, set.value, 'genuine csrf'), token: csrfToken };
}

interface RouteParams {
  /** GET /auth/signin?callbackUrl= */
  signInPageCallbackUrl: string;
  /** Put the value in the query as it is (let URL parsing deal with it), or percent-encoded. */
  rawQuery: boolean;
  /** POST /auth/signin/google: the form's csrfToken (the real one, a forged one, none) and callbackUrl. */
  signInCsrf: 'valid' | 'forged' | 'none';
  forgedCsrf: string;
  signInCallbackUrl: string;
  signOutCallbackUrl: string;
  /** POST /auth/signout without the valid pair: a forged token, or none. */
  signOutForgedCsrf: string | null;
  errorKind: string;
  /** Where the genuine CSRF cookie goes when it is sent: before or after the jar (a tossed one may precede it). */
  csrfCookieFirst: boolean;
}

const routeParams: fc.Arbitrary<RouteParams> = fc.record({
  signInPageCallbackUrl: hostileUrl,
  rawQuery: fc.boolean(),
  signInCsrf: fc.constantFrom('valid', 'forged', 'none'),
  forgedCsrf: fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...HOSTILE_TEXT)),
  signInCallbackUrl: hostileUrl,
  signOutCallbackUrl: hostileUrl,
  signOutForgedCsrf: fc.option(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom(...HOSTILE_TEXT))),
  errorKind: fc.oneof(fc.constantFrom('AccessDenied', 'Configuration', 'Verification', 'Default'), hostileUrl),
  csrfCookieFirst: fc.boolean(),
});

interface RouteCall {
  label: string;
  path: string;
  init: RequestInit;
}

function query(name: string, value: string, raw: boolean) {
  return `?${name}=${raw ? value : encodeURIComponent(value)}`;
}

/** Every Auth.js route and every /api route, with this jar (and the genuine CSRF pair where noted). */
function everyRoute(jar: readonly Cookie[], params: RouteParams, csrf: CsrfPair): RouteCall[] {
  const plain = cookieHeader(jar);
  const withCsrf = cookieHeader(params.csrfCookieFirst ? [csrf.cookie, ...jar] : [...jar, csrf.cookie]);
  const get = (label: string, path: string): RouteCall => ({
    label,
    path,
    init: { headers: plain ? { cookie: plain } : {} },
  });
  const form = (fields: Record<string, string | null>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) if (v !== null) body.set(k, v);
    return body;
  };
  const post = (label: string, path: string, header: string, body: URLSearchParams): RouteCall => ({
    label,
    path,
    init: { method: 'POST', headers: { ...FORM, ...(header ? { cookie: header } : {}) }, body },
  });
  const signInCsrf = { valid: csrf.token, forged: params.forgedCsrf, none: null }[params.signInCsrf];
  return [
    get('GET /auth/csrf', '/auth/csrf'),
    get('GET /auth/signin', '/auth/signin'),
    get(
      'GET /auth/signin?callbackUrl',
      `/auth/signin${query('callbackUrl', params.signInPageCallbackUrl, params.rawQuery)}`,
    ),
    post(
      `POST /auth/signin/google (${params.signInCsrf} csrf)`,
      '/auth/signin/google',
      params.signInCsrf === 'valid' ? withCsrf : plain,
      form({ csrfToken: signInCsrf, callbackUrl: params.signInCallbackUrl }),
    ),
    get(
      'GET /auth/signin/google?callbackUrl (one click)',
      `/auth/signin/google${query('callbackUrl', params.signInPageCallbackUrl, params.rawQuery)}`,
    ),
    get('GET /auth/callback/google', '/auth/callback/google?code=x&state=y'),
    post(
      'POST /auth/signout (valid csrf pair)',
      '/auth/signout',
      withCsrf,
      form({ csrfToken: csrf.token, callbackUrl: params.signOutCallbackUrl }),
    ),
    post(
      `POST /auth/signout (${params.signOutForgedCsrf === null ? 'no' : 'forged'} csrf)`,
      '/auth/signout',
      plain,
      form({ csrfToken: params.signOutForgedCsrf, callbackUrl: params.signOutCallbackUrl }),
    ),
    get('GET /auth/session', '/auth/session'),
    get('GET /auth/providers', '/auth/providers'),
    get('GET /auth/error', `/auth/error${query('error', params.errorKind, params.rawQuery)}`),
    get('GET /auth/diagnose', '/auth/diagnose'),
    get('GET /api/me', '/api/me'),
    get('GET /api/sessions', '/api/sessions'),
    {
      // No Origin requirement: from the hostile sibling itself.
      label: 'POST /auth/refresh',
      path: '/auth/refresh',
      init: { method: 'POST', headers: { origin: 'https://evil.example.test', ...(plain ? { cookie: plain } : {}) } },
    },
    {
      label: 'POST /api/sessions/revoke-all',
      path: '/api/sessions/revoke-all',
      init: { method: 'POST', headers: { origin: APP_ORIGIN, ...(plain ? { cookie: plain } : {}) } },
    },
  ];
}

/** Sends each call in turn (revocations change D1), keeping its label with its response. */
async function send(calls: RouteCall[]): Promise<Array<{ call: RouteCall; res: Response }>> {
  const out: Array<{ call: RouteCall; res: Response }> = [];
  for (const call of calls) out.push({ call, res: await api(call.path, call.init) });
  return out;
}

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
              headers: { ...FORM, cookie: cookieHeader(ordered) },
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
