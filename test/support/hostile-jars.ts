// Generated cookie jars for the hostile-sibling properties (test/hostile-siblings.property.test.ts): the
// ingredients a hostile sibling can toss, the pools of genuine sessions, and the model of what may come back.
import fc from 'fast-check';
import { APP_ORIGIN } from './http';
import { sessionOf, signIn } from './sign-in';
import { hmacWithPublicKey, mint, strangerKeys, tamper, unsignedToken } from './tokens';
import { SESSION_COOKIE } from './worker';

export const HOUR_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------------------
// Cookies and ingredients

/** One cookie of a generated jar. `label` says what it is; counterexamples print it instead of a 5 kB value. */
export interface Cookie {
  name: string;
  value: string;
  label: string;
}

export function cookie(name: string, value: string, label: string): Cookie {
  return Object.assign({ name, value, label }, { [fc.toStringMethod]: () => `${name}=<${label}>` });
}

/** What the browser sends: the jar in order, one `name=value` per cookie. */
export const cookieHeader = (jar: readonly Cookie[]) => jar.map((c) => `${c.name}=${c.value}`).join('; ');

/** A token of a real session: fresh as signed in, or the same session's token past its `exp`. */
export interface Genuine {
  token: string;
  userId: string;
  sid: string;
  fresh: boolean;
  label: string;
}

export async function signedIn(sub: string, label: string, userAgent = 'sitewide-property'): Promise<Genuine> {
  const { token, userId, sid } = sessionOf((await signIn({ sub }, { userAgent })).jar);
  return { token, userId, sid, fresh: true, label };
}

export const anHourAgo = () => new Date(Date.now() - HOUR_MS);

/** The same session, genuine but past its `exp`: the server must ask D1 (refresh, or revoke on sign-out). */
export async function expiredTwin(g: { userId: string; sid: string; label: string }): Promise<Genuine> {
  const token = await mint({ sub: g.userId, sid: g.sid, now: anHourAgo() });
  return { token, userId: g.userId, sid: g.sid, fresh: false, label: `${g.label}~expired` };
}

/**
 * Tokens that must never authenticate anyone: signed with the server key for a user or session that does not
 * exist (fresh ones only for users that do not exist: a fresh server-signed token is not checked against D1),
 * cross-bound (A's user id with B's session), stranger keys, other audience or issuer, tampered, alg confusion.
 */
export async function forgeries(a: Genuine, b: Genuine): Promise<Array<[label: string, token: string]>> {
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
export interface Pool {
  genuine: Genuine[];
  byToken: Map<string, Genuine>;
  forged: Array<[string, string]>;
}

export async function pool(prefix: string): Promise<Pool> {
  const a1 = await signedIn(`${prefix}-a`, `${prefix}A1`);
  const a2 = await signedIn(`${prefix}-a`, `${prefix}A2`); // A's second browser
  const b = await signedIn(`${prefix}-b`, `${prefix}B`);
  const c = await signedIn(`${prefix}-c`, `${prefix}C`);
  const fresh = [a1, a2, b, c];
  const genuine = [...fresh, await expiredTwin(a1), await expiredTwin(b)];
  return { genuine, byToken: new Map(genuine.map((g) => [g.token, g])), forged: await forgeries(a1, b) };
}

/** Auth.js flow cookies a sibling can toss (and `__Host-` ones a buggy or stale client might still send). */
export const FLOW_COOKIES = [
  '__Secure-authjs.state',
  '__Secure-authjs.pkce.code_verifier',
  '__Secure-authjs.nonce',
  '__Secure-authjs.callback-url',
  'authjs.callback-url',
  '__Host-authjs.callback-url',
  '__Host-authjs.csrf-token',
];
/** Names that are not the session cookie but start like it, or differ only in case or prefix. */
export const LOOKALIKES = [
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
export const OTHER_NAMES = ['theme', 'lang', '_ga', '__proto__', 'constructor', 'toString', 'a'];

/** URLs and text a sibling or a crafted link can put in a callback URL, an error kind or a cookie. */
export const HOSTILE_TEXT = [
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
export const cookieSafe = (s: string) =>
  s.replace(/[;\r\n\0]/g, '').replace(/[\u{80}-\u{10ffff}]+/gu, (chars) => encodeURIComponent(chars));

export const huge = (prefix = '') => fc.nat({ max: 400 }).map((n) => `${prefix}${'x'.repeat(4800 + n)}`);

/** Garbage values: empty, ASCII and non-ASCII noise, base64ish, hostile URLs, ~5000 chars. */
export const garbage: fc.Arbitrary<string> = fc
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
export const garbageLabel = (v: string) =>
  v.length > 40 ? `garbage(${v.length} chars)` : `garbage ${JSON.stringify(v)}`;

/** Callback URLs / error kinds for query strings and forms (no cookie-safety needed there). */
export const hostileUrl: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXT),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  huge(`${APP_ORIGIN}/`),
);

/** A value for any copy of the session cookie: a genuine token, a forgery, or garbage. */
export function sessionValue(p: Pool): fc.Arbitrary<[label: string, value: string]> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...p.genuine).map((g): [string, string] => [g.label, g.token]) },
    { weight: 2, arbitrary: fc.constantFrom(...p.forged) },
    { weight: 2, arbitrary: garbage.map((v): [string, string] => [garbageLabel(v), v]) },
  );
}

/** Groups of cookies (a split token is two), flattened into a jar and shuffled. */
export function jarOf(p: Pool, options: { maxGroups?: number } = {}): fc.Arbitrary<Cookie[]> {
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

export const shuffled = <T>(items: T[]) =>
  fc.shuffledSubarray(items, { minLength: items.length, maxLength: items.length });

/** The victim's one genuine cookie, plus noise that contains no other exact-name copy. */
export function soleGenuineJar(p: Pool): fc.Arbitrary<Cookie[]> {
  return fc
    .tuple(
      fc.constantFrom(...p.genuine),
      jarOf(p, { maxGroups: 4 }).map((jar) => jar.filter((c) => c.name !== SESSION_COOKIE)),
    )
    .chain(([g, noise]) => shuffled([cookie(SESSION_COOKIE, g.token, g.label), ...noise]));
}

/** The victim's genuine cookie and a sibling's tossed copy of the same name, either order, plus noise. */
export function duplicatedJar(p: Pool): fc.Arbitrary<Cookie[]> {
  return fc
    .tuple(fc.constantFrom(...p.genuine), sessionValue(p), jarOf(p, { maxGroups: 3 }))
    .chain(([g, [label, v], noise]) =>
      shuffled([cookie(SESSION_COOKIE, g.token, g.label), cookie(SESSION_COOKIE, v, `tossed ${label}`), ...noise]),
    );
}

/** Any jar, with the interesting shapes (one genuine copy; a tossed duplicate) well represented. */
export const anyJar = (p: Pool) =>
  fc.oneof({ weight: 3, arbitrary: jarOf(p) }, { weight: 1, arbitrary: soleGenuineJar(p) }, duplicatedJar(p));
