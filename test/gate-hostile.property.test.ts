// The gate against hostile clients, as properties. A client sends any mix of identity headers (ours,
// Cloudflare Access's, oauth2-proxy's, Authelia's… in any case, `-` or `_`), other headers, and a cookie
// jar mixing a genuine session (fresh or expired), tossed copies, chunk names and noise, with any method
// to any path of a gated host. Whatever it sends: no 5xx, the origin never sees an identity header the
// gate did not set (nor one on a public path), never the session cookie, and the identity it does see is
// the one genuine session's, with an assertion that verifies for that app.
import fc from 'fast-check';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { run } from './support/db';
import { ACCESS, type Echo, GRAFANA, gate, WIKI } from './support/gate';
import { sessionOf, signIn } from './support/sign-in';
import { mint, serverKeys } from './support/tokens';
import { API, SESSION_COOKIE } from './support/worker';

const RUNS = 150;
const TIMEOUT_MS = 180_000;

/** Identity headers of every proxy an app may trust, written here independently of src/gate's list. */
const IDENTITY_NAMES = [
  'Sitewide-User-Id',
  'Sitewide-User-Email',
  'Sitewide-User-Name',
  'Sitewide-User-Roles',
  'Sitewide-Jwt-Assertion',
  'Sitewide-Anything',
  'Cf-Access-Authenticated-User-Email',
  'Cf-Access-Jwt-Assertion',
  'Cf-Access-Client-Id',
  'X-Forwarded-User',
  'X-Forwarded-Email',
  'X-Forwarded-Preferred-Username',
  'X-Forwarded-Groups',
  'X-Auth-Request-User',
  'X-Auth-Request-Email',
  'Remote-User',
  'Remote-Email',
  'Remote-Name',
  'Remote-Groups',
  'X-Remote-User',
  'X-WEBAUTH-USER',
  'X-Pomerium-Claim-Email',
  'X-Pomerium-Jwt-Assertion',
  'X-Goog-Authenticated-User-Email',
  'X-Goog-IAP-JWT-Assertion',
  'X-MS-CLIENT-PRINCIPAL-NAME',
  'X-Amzn-Oidc-Identity',
];
const normal = (name: string) => name.toLowerCase().replace(/_/g, '-');
const IDENTITY = new Set(IDENTITY_NAMES.map(normal));
const isIdentity = (name: string) => IDENTITY.has(normal(name)) || /^(sitewide|cf-access)-/.test(normal(name));

/** What the gate itself sets, by the gate's header names. */
const SET_BY_GATE: Record<string, ReadonlySet<string>> = {
  [WIKI]: new Set([
    'sitewide-user-id',
    'sitewide-user-email',
    'sitewide-user-name',
    'sitewide-user-roles',
    'sitewide-jwt-assertion',
  ]),
  [GRAFANA]: new Set([
    'sitewide-user-id',
    'sitewide-user-email',
    'sitewide-user-name',
    'sitewide-user-roles',
    'sitewide-jwt-assertion',
  ]),
  [ACCESS]: new Set(['cf-access-authenticated-user-email', 'cf-access-jwt-assertion']),
};

/** A header name in any case, each separator `-` or `_`. */
const spelled = (name: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }),
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    )
    .map(([upper, under]) => {
      let i = 0;
      let dash = 0;
      return [...name]
        .map((ch) => {
          const out = ch === '-' ? (under[dash++ % 8] ? '_' : '-') : upper[i] ? ch.toUpperCase() : ch.toLowerCase();
          i++;
          return out;
        })
        .join('');
    });

const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
const header = fc.oneof(
  fc.tuple(fc.constantFrom(...IDENTITY_NAMES).chain(spelled), headerValue),
  fc.tuple(
    fc.constantFrom('x-custom', 'x-forwarded-for', 'x-forwarded-userx', 'sitewide', 'authorization', 'user-agent'),
    headerValue,
  ),
);

interface Session {
  userId: string;
  fresh: string;
  expired: string;
}
let alice: Session;
let bob: Session;

async function session(sub: string): Promise<Session> {
  const { jar } = await signIn({ sub, email: `${sub}@example.test`, name: `Name ${sub}` });
  const { token, userId, sid } = sessionOf(jar);
  await run('INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)', userId, 'admin', Date.now());
  const expired = await mint({
    sub: userId,
    sid,
    now: new Date(Date.now() - 11 * 60_000),
    profile: { email: `${sub}@example.test`, name: `Name ${sub}`, picture: null },
  });
  return { userId, fresh: token, expired };
}

beforeAll(async () => {
  alice = await session('prop-alice');
  bob = await session('prop-bob');
}, TIMEOUT_MS);

type Pair = { name: string; value: string; owner?: string };
const cookiePair = fc.oneof(
  fc.constant<() => Pair>(() => ({ name: SESSION_COOKIE, value: alice.fresh, owner: alice.userId })),
  fc.constant<() => Pair>(() => ({ name: SESSION_COOKIE, value: alice.expired, owner: alice.userId })),
  fc.constant<() => Pair>(() => ({ name: SESSION_COOKIE, value: bob.fresh, owner: bob.userId })),
  fc.constant<() => Pair>(() => ({ name: `${SESSION_COOKIE}.0`, value: bob.fresh })),
  fc.constant<() => Pair>(() => ({ name: 'sitewide.session', value: bob.fresh })),
  fc.constant<() => Pair>(() => ({ name: '__Host-sitewide.session', value: bob.fresh })),
  fc.constant<() => Pair>(() => ({ name: SESSION_COOKIE, value: 'garbage.token.value' })),
  fc.tuple(fc.constantFrom('theme', 'grafana_session', 'wiki'), fc.stringMatching(/^[a-z0-9]{0,8}$/)).map(
    ([name, value]) =>
      (): Pair => ({ name, value }),
  ),
);

const request = fc.record({
  host: fc.constantFrom(WIKI, GRAFANA, ACCESS),
  path: fc.constantFrom('/', '/x', '/healthz', '/assets/a.css', '/_sitewide/me', '/api/data?x=1'),
  method: fc.constantFrom('GET', 'GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'),
  headers: fc.array(header, { maxLength: 8 }),
  cookies: fc.array(cookiePair, { maxLength: 4 }),
  sameOrigin: fc.boolean(),
  navigation: fc.boolean(),
});

describe('the gate against hostile clients (properties)', () => {
  it(
    'never 5xx; the origin sees only the identity the gate set, of the one genuine session, and never the session cookie',
    async () => {
      const jwks = createLocalJWKSet({ keys: [...(await serverKeys()).publicJwks] });
      // How many runs reached the origin with the genuine session: the identity checks below ran on them.
      let identified = 0;
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const jar = r.cookies.map((make) => make());
          const headers = new Headers();
          for (const [name, value] of r.headers) headers.append(name, value);
          if (jar.length) headers.set('cookie', jar.map((c) => `${c.name}=${c.value}`).join('; '));
          if (r.sameOrigin) headers.set('origin', r.host);
          if (r.navigation) headers.set('accept', 'text/html');
          const res = await gate(`${r.host}${r.path}`, {
            method: r.method,
            headers,
            ...(r.method === 'POST' || r.method === 'PUT' ? { body: 'x' } : {}),
          });
          expect(res.status).toBeLessThan(500);
          const text = await res.text();
          if (!(res.status === 200 && text.startsWith('{"method"'))) {
            // The gate's own answers never reflect a token.
            for (const c of jar) if (c.value.length > 40) expect(text).not.toContain(c.value);
            return;
          }

          const echo = JSON.parse(text) as Echo;
          const forwardedCookie = echo.headers
            .filter(([n]) => n.toLowerCase() === 'cookie')
            .map(([, v]) => v)
            .join(';');
          expect(forwardedCookie).not.toMatch(new RegExp(`(^|;\\s*)${SESSION_COOKIE.replace('.', '\\.')}(\\.\\d+)?=`));

          const identity = echo.headers.filter(([n]) => isIdentity(n));
          const publicPath = r.host === WIKI && (r.path === '/healthz' || r.path.startsWith('/assets/'));
          if (publicPath) return void expect(identity).toEqual([]);
          const names = identity.map(([n]) => normal(n));
          expect(new Set(names).size).toBe(names.length);
          for (const name of names) expect(SET_BY_GATE[r.host]?.has(name)).toBe(true);

          // Exactly one session cookie pair reached the gate, and it was genuine: its owner is who the app sees.
          const sessionPairs = jar.filter((c) => c.name === SESSION_COOKIE);
          expect(sessionPairs).toHaveLength(1);
          const owner = sessionPairs[0]?.owner;
          expect(owner).toBeDefined();
          const jwt = identity.find(([n]) => normal(n).endsWith('jwt-assertion'))?.[1] as string;
          const { payload } = await jwtVerify(jwt, jwks, {
            issuer: API,
            audience: r.host,
            typ: 'sitewide-assertion+jwt',
          });
          expect(payload.sub).toBe(owner);
          if (r.host !== ACCESS) expect(identity.find(([n]) => normal(n) === 'sitewide-user-id')?.[1]).toBe(owner);
          identified++;
        }),
        { numRuns: RUNS },
      );
      // A gate that refused everything would pass the checks above vacuously.
      expect(identified).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );
});
