/** Sign-in: the browser's whole flow against the loopback OIDC server; the callback's server time and the outbound requests. */
import { CookieJar } from '../../test/support/cookies.ts';
import type { OutboundCounts } from '../cases.ts';
import { getJson, type Target, type Targets } from '../servers.ts';
import { API_ORIGIN, OPTIONS } from '../settings.ts';
import { round, statsOf } from '../stats.ts';

/** The callback's server time, of which waiting on outbound fetches, and its round trip as the client saw it (ms). */
type SignInSample = { serverMs: number; outboundMs: number; clientMs: number };

const serverTiming = (res: Response, name: string) =>
  Number(new RegExp(`${name};dur=([0-9.]+)`).exec(res.headers.get('server-timing') ?? '')?.[1] ?? Number.NaN);

/** One sign-in of `sub` against a target on loopback, every step checked. */
async function signIn({ base, worker }: Target, sub: string): Promise<SignInSample> {
  const jar = new CookieJar();
  const fail = (step: string, res: Response) => new Error(`${worker} sign-in: ${step} answered ${res.status}`);
  /** A request to the Worker with the jar's cookies; its cookies stored, its body read unless JSON is wanted. */
  const send = async (path: string, init: RequestInit = {}, json = false) => {
    const cookie: Record<string, string> = jar.size ? { cookie: jar.header() } : {};
    const headers = { ...(init.headers as Record<string, string>), 'user-agent': 'sitewide-bench', ...cookie };
    const res = await fetch(`${base}${path}`, { ...init, headers, redirect: 'manual' });
    jar.store(res);
    return { res, body: json ? await res.json() : await res.arrayBuffer() };
  };
  const csrf = await send('/auth/csrf', {}, true);
  if (csrf.res.status !== 200) throw fail('/auth/csrf', csrf.res);
  const { csrfToken } = csrf.body as { csrfToken: string };
  const hint = encodeURIComponent(JSON.stringify({ sub, email: `${sub}@example.test`, name: 'Bench Sign-in' }));
  const callbackUrl = worker === 'main' ? 'https://app.example.test/home' : `${API_ORIGIN}/bench/bare`;
  const start = await send(`/auth/signin/google?login_hint=${hint}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfToken, callbackUrl }),
  });
  if (start.res.status !== 302) throw fail('POST /auth/signin/google', start.res);
  const authorize = await fetch(start.res.headers.get('location') ?? '', { redirect: 'manual' });
  await authorize.arrayBuffer();
  const back = new URL(authorize.headers.get('location') ?? '');
  if (authorize.status !== 302 || back.pathname !== '/auth/callback/google') throw fail('the OIDC server', authorize);
  const t0 = performance.now();
  const { res: callback } = await send(back.pathname + back.search);
  const clientMs = performance.now() - t0;
  const cookie = worker === 'main' ? '__Secure-sitewide.session' : '__Secure-authjs.session-token';
  if (callback.status !== 302 || !jar.has(cookie) || callback.headers.get('location')?.includes('/auth/error')) {
    throw fail(`the callback (to ${callback.headers.get('location')}, ${cookie} set: ${jar.has(cookie)})`, callback);
  }
  return { serverMs: serverTiming(callback, 'app'), outboundMs: serverTiming(callback, 'outbound'), clientMs };
}

export function signInPhase(targets: Targets) {
  const signInTargets: Record<string, Target> = {
    sitewide: targets['workerd-socket'].main,
    'peer-hono-authjs': targets['workerd-socket'].peer,
    'sitewide (wrangler dev)': targets['wrangler-dev'].main,
  };
  const samples = Object.fromEntries(Object.keys(signInTargets).map((k) => [k, [] as SignInSample[]]));
  let seq = 0;
  const signInTo = async (name: string) =>
    samples[name]?.push(await signIn(signInTargets[name] as Target, `bench-signin-${++seq}`));
  return {
    /** Forgets the outbound fetches of the warm-up. */
    async reset() {
      for (const t of Object.values(signInTargets)) await getJson(`${t.base}/__bench/outbound?reset=1`);
    },

    /** OPTIONS.signInsPerRound sign-ins to Sitewide and to the peer, half as many under wrangler dev. */
    async round() {
      for (let i = 0; i < OPTIONS.signInsPerRound; i++) {
        await signInTo('sitewide');
        await signInTo('peer-hono-authjs');
        if (i < Math.ceil(OPTIONS.signInsPerRound / 2)) await signInTo('sitewide (wrangler dev)');
      }
    },

    /** Per target: the callback's times, and every outbound request its isolate made since reset(). */
    async summary() {
      const summaries = Object.entries(signInTargets).map(async ([name, t]) => {
        const done = samples[name] ?? [];
        const out = await getJson<OutboundCounts>(`${t.base}/__bench/outbound`);
        const count = (suffix: string) =>
          Object.entries(out.byUrl).reduce((a, [url, n]) => a + (url.endsWith(suffix) ? n : 0), 0);
        const ms = (key: keyof SignInSample) => statsOf(done, (s) => s[key], 2);
        const perSignIn = round(out.total / Math.max(1, done.length), 2);
        const discovery = count('/.well-known/openid-configuration');
        const outbound = { total: out.total, perSignIn, discovery, token: count('/token'), byUrl: out.byUrl };
        const [callbackServerMs, callbackOutboundMs] = [ms('serverMs'), ms('outboundMs')];
        const callback = { callbackServerMs, callbackOutboundMs, callbackClientMs: ms('clientMs') };
        return [name, { signIns: done.length, ...callback, outbound }] as const;
      });
      return Object.fromEntries(await Promise.all(summaries));
    },
  };
}
