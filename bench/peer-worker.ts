/**
 * The peer (npm run bench; never deployed): what users pick today. The same route as
 * bench/worker.ts's GET /api/bench/me, guarded by @hono/auth-js's verifyAuth() with an
 * Auth.js default session cookie (a JWE, A256CBC-HS512 with a key derived from AUTH_SECRET),
 * configured as @hono/auth-js documents it: initAuthConfig on every route, authHandler on /auth/*.
 * @hono/auth-js is a devDependency compiled only into this bench Worker.
 *
 *   GET /__bench/cases | /__bench/run?case=NAME&n=N | /__bench/mix?cases=A,B | /__bench/outbound
 *   (as in bench/worker.ts)
 */
import type { AuthConfig } from '@auth/core';
import { encode } from '@auth/core/jwt';
import Google from '@auth/core/providers/google';
import { type AuthUser, authHandler, initAuthConfig, verifyAuth } from '@hono/auth-js';
import { Hono } from 'hono';
import { intParam, mixOptions, outboundCounts, requestEntry, runLoop, runMix, timed } from './worker-support';

const USER = {
  id: 'bench-user-0001',
  email: 'bench@example.test',
  name: 'Bench User',
  image: 'https://example.test/avatar/bench.png',
};

const app = new Hono<{ Bindings: Env; Variables: { authUser: AuthUser } }>();
app.use(
  '*',
  initAuthConfig(
    (c): AuthConfig => ({
      secret: c.env.AUTH_SECRET,
      basePath: '/auth',
      trustHost: true,
      session: { strategy: 'jwt' },
      providers: [
        Google({
          clientId: c.env.AUTH_GOOGLE_ID,
          clientSecret: c.env.AUTH_GOOGLE_SECRET,
          ...(c.env.AUTH_GOOGLE_ISSUER ? { issuer: c.env.AUTH_GOOGLE_ISSUER } : {}),
        }),
      ],
    }),
  ),
);
app.use('/auth/*', authHandler());
app.use('/api/*', verifyAuth());
app.get('/bench/bare', (c) => c.json(USER));
app.get('/api/bench/me', (c) => {
  const { token } = c.get('authUser');
  return c.json({ ...USER, id: typeof token?.sub === 'string' ? token.sub : USER.id });
});

/** Auth.js's default session cookie name for this AUTH_URL, and a cookie minted the way Auth.js mints it. */
async function sessionCookie(env: Env) {
  const secure = new URL(env.AUTH_URL).protocol === 'https:';
  const name = `${secure ? '__Secure-' : ''}authjs.session-token`;
  const value = await encode({
    token: { sub: USER.id, name: USER.name, email: USER.email, picture: USER.image },
    secret: env.AUTH_SECRET,
    salt: name,
    maxAge: 30 * 24 * 3600,
  });
  return { name, value };
}

async function cases(env: Env) {
  const cookie = await sessionCookie(env);
  const headers = { cookie: `${cookie.name}=${cookie.value}` };
  return {
    cookieName: cookie.name,
    cases: {
      'peer-bare': { path: '/bench/bare', headers, expect: { d1RoundTrips: 0 } },
      'peer-hono-authjs': { path: '/api/bench/me', headers, expect: { d1RoundTrips: 0 } },
    } as Record<string, { path: string; headers: Record<string, string>; expect: { d1RoundTrips: number } }>,
  };
}

async function control(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  try {
    switch (url.pathname) {
      case '/__bench/cases':
        return Response.json(await cases(env));
      case '/__bench/run': {
        const name = url.searchParams.get('case') ?? '';
        const spec = (await cases(env)).cases[name];
        if (!spec) throw new Error(`unknown case '${name}'`);
        const request = new Request(new URL(spec.path, env.AUTH_URL), { headers: spec.headers });
        const n = intParam(url, 'n', 10_000, 100_000);
        return Response.json(await runLoop(name, n, () => ({ request, handler: app.fetch, env }), ctx));
      }
      case '/__bench/mix': {
        const specs = (await cases(env)).cases;
        const entries = (url.searchParams.get('cases') ?? '').split(',').map((name) => {
          const spec = specs[name];
          if (!spec) throw new Error(`unknown case '${name}'`);
          const request = new Request(new URL(spec.path, env.AUTH_URL), { headers: spec.headers });
          return requestEntry(name, { request, handler: app.fetch, env }, ctx);
        });
        return Response.json(await runMix(entries, mixOptions(url)));
      }
      case '/__bench/outbound':
        return Response.json(outboundCounts(url.searchParams.has('reset')));
      default:
        return Response.json({ error: 'no such bench route' }, { status: 404 });
    }
  } catch (error) {
    return Response.json({ error: String(error), stack: (error as Error).stack }, { status: 500 });
  }
}

export default {
  fetch(request, env, ctx) {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith('/__bench/')) return control(request, env, ctx);
    if (pathname.startsWith('/auth/callback/')) return timed(async () => app.fetch(request, env, ctx));
    return app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
