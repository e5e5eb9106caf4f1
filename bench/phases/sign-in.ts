/**
 * Sign-in: the browser's whole flow against the loopback OIDC server (as
 * test/support/sign-in-flow.ts), for Sitewide and the peer on their workerd sockets and for
 * Sitewide under wrangler dev: the callback's server time (Server-Timing, from the bench Workers)
 * and, at the end, every outbound request the Workers made (discovery once per isolate).
 */
import { CookieJar } from '../../test/support/cookies.ts';
import type { BenchWorker, OutboundCounts } from '../cases.ts';
import { getJson, type Target, type Targets } from '../servers.ts';
import { API_ORIGIN, OPTIONS } from '../settings.ts';
import { round, roundedStats } from '../stats.ts';

interface SignInSample {
  /** Server-side time of GET /auth/callback/google inside the isolate (Server-Timing app). */
  serverMs: number;
  /** Of which waiting on outbound fetches (the OIDC token endpoint, discovery when not cached). */
  outboundMs: number;
  /** The callback's round trip as the client saw it. */
  clientMs: number;
}

function serverTiming(res: Response, name: string): number {
  const header = res.headers.get('server-timing') ?? '';
  const match = new RegExp(`${name};dur=([0-9.]+)`).exec(header);
  return match ? Number(match[1]) : Number.NaN;
}

/** The browser's sign-in, step by step (as test/support/sign-in-flow.ts), against `base` on loopback. */
async function signIn(base: string, worker: BenchWorker, sub: string): Promise<SignInSample> {
  const jar = new CookieJar();
  const send = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (jar.size) headers.set('cookie', jar.header());
    headers.set('user-agent', 'sitewide-bench');
    return fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
  };
  const csrf = await send('/auth/csrf');
  if (csrf.status !== 200) throw new Error(`${worker} sign-in: /auth/csrf answered ${csrf.status}`);
  jar.store(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };

  const hint = encodeURIComponent(JSON.stringify({ sub, email: `${sub}@example.test`, name: 'Bench Sign-in' }));
  const callbackUrl = worker === 'main' ? 'https://app.example.test/home' : `${API_ORIGIN}/bench/bare`;
  const start = await send(`/auth/signin/google?login_hint=${hint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfToken, callbackUrl }),
  });
  await start.arrayBuffer();
  if (start.status !== 302) throw new Error(`${worker} sign-in: POST /auth/signin/google answered ${start.status}`);
  jar.store(start);

  const authorize = await fetch(start.headers.get('location') ?? '', { redirect: 'manual' });
  await authorize.arrayBuffer();
  const back = new URL(authorize.headers.get('location') ?? '');
  if (authorize.status !== 302 || back.pathname !== '/auth/callback/google') {
    throw new Error(`${worker} sign-in: the OIDC server answered ${authorize.status} to ${back.href}`);
  }

  const t0 = performance.now();
  const callback = await send(back.pathname + back.search);
  await callback.arrayBuffer();
  const clientMs = performance.now() - t0;
  const location = callback.headers.get('location') ?? '';
  jar.store(callback);
  const sessionCookie = worker === 'main' ? '__Secure-sitewide.session' : '__Secure-authjs.session-token';
  if (callback.status !== 302 || !jar.has(sessionCookie) || location.includes('/auth/error')) {
    throw new Error(`${worker} sign-in: callback answered ${callback.status} → ${location}, no ${sessionCookie}`);
  }
  return { serverMs: serverTiming(callback, 'app'), outboundMs: serverTiming(callback, 'outbound'), clientMs };
}

/** Sign-in targets: the product and the peer on their workerd sockets, and the product under wrangler dev. */
export function signInPhase(targets: Targets) {
  const signInTargets: Record<string, Target> = {
    sitewide: targets['workerd-socket'].main,
    'peer-hono-authjs': targets['workerd-socket'].peer,
    'sitewide (wrangler dev)': targets['wrangler-dev'].main,
  };
  const samples = Object.fromEntries(Object.keys(signInTargets).map((k) => [k, [] as SignInSample[]]));
  let seq = 0;

  return {
    /** Forgets the outbound fetches of the warm-up. */
    async reset() {
      for (const t of Object.values(signInTargets)) await getJson(`${t.base}/__bench/outbound?reset=1`);
    },

    /** OPTIONS.signInsPerRound sign-ins to Sitewide and to the peer, half as many under wrangler dev. */
    async round() {
      for (let i = 0; i < OPTIONS.signInsPerRound; i++) {
        seq++;
        for (const name of ['sitewide', 'peer-hono-authjs'] as const) {
          const t = signInTargets[name] as Target;
          samples[name]?.push(await signIn(t.base, t.worker, `bench-signin-${seq}`));
        }
        if (i < Math.ceil(OPTIONS.signInsPerRound / 2)) {
          const t = signInTargets['sitewide (wrangler dev)'] as Target;
          samples['sitewide (wrangler dev)']?.push(await signIn(t.base, 'main', `bench-signin-dev-${seq}`));
        }
      }
    },

    /** Per target: the callback's times, and every outbound request its isolate made since reset(). */
    async summary() {
      const summaries = Object.entries(signInTargets).map(async ([name, t]) => {
        const done = samples[name] ?? [];
        const out = await getJson<OutboundCounts>(`${t.base}/__bench/outbound`);
        const count = (suffix: string) =>
          Object.entries(out.byUrl).reduce((a, [url, n]) => a + (url.endsWith(suffix) ? n : 0), 0);
        const ms = (key: keyof SignInSample) =>
          roundedStats(
            done.map((s) => s[key]),
            2,
          );
        const outbound = {
          total: out.total,
          discovery: count('/.well-known/openid-configuration'),
          token: count('/token'),
          jwks: count('/jwks'),
          userinfo: count('/userinfo'),
          perSignIn: round(out.total / Math.max(1, done.length), 2),
          byUrl: out.byUrl,
        };
        const figures = {
          signIns: done.length,
          callbackServerMs: ms('serverMs'),
          callbackOutboundMs: ms('outboundMs'),
          callbackClientMs: ms('clientMs'),
          outbound,
        };
        return [name, figures] as const;
      });
      return Object.fromEntries(await Promise.all(summaries));
    },
  };
}
