import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppEnv } from '../src/app-env';
import { globalPath } from '../src/middleware/global-path';
import { SLOW_REQUEST_MS } from '../src/middleware/request-log';
import { signIn } from './support/sign-in';
import { unsignedToken } from './support/tokens';
import { api, SESSION_COOKIE } from './support/worker';

afterEach(() => vi.restoreAllMocks());

/** Captures the structured lines the Worker logs while `run` executes. */
async function captureLogs(run: () => Promise<unknown>) {
  const lines: string[] = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
  await run();
  vi.restoreAllMocks();
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('a structured log line for failures and slow requests (Workers observability records every invocation)', () => {
  it('a fast success: no line; the request id is still echoed in X-Request-Id', async () => {
    const { jar } = await signIn({ sub: 'logged' });
    // The isolate's first protected request waits for its first revocation-feed poll: warm it up.
    expect((await api('/api/me', { jar })).status).toBe(200);
    let res: Response | undefined;
    const lines = await captureLogs(async () => {
      res = await api('/api/me?x=1', { jar });
    });
    expect(res?.status).toBe(200);
    // No line, unless this machine was too busy to answer within SLOW_REQUEST_MS (then it is a slow line).
    const logged = lines.filter((l) => l.msg === 'request');
    expect(logged.filter((l) => !(l.slow === true && Number(l.duration_ms) > SLOW_REQUEST_MS))).toEqual([]);
    expect(res?.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it(`a slow success (> ${SLOW_REQUEST_MS} ms): method, path, status, duration, slow, request id`, async () => {
    const app = new Hono<AppEnv>()
      .use('*', globalPath({ onError: (error) => Promise.reject(error) }))
      .get('/slow', async (c) => {
        await new Promise((resolve) => setTimeout(resolve, SLOW_REQUEST_MS + 20));
        return c.json({ ok: true });
      });
    let res: Response | undefined;
    const lines = await captureLogs(async () => {
      res = await app.request('/slow?token=SECRET', { headers: { 'cf-ray': 'ray-123' } }, env);
    });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(1);
    const [line] = requests;
    expect(line).toMatchObject({ level: 'info', method: 'GET', path: '/slow', status: 200, slow: true });
    expect(Number(line?.duration_ms)).toBeGreaterThan(SLOW_REQUEST_MS);
    expect(line?.request_id).toBe('ray-123');
    expect(res?.headers.get('x-request-id')).toBe('ray-123');
    expect(JSON.stringify(lines)).not.toContain('SECRET');
  });

  it('a failure: the error code and cause, never the token', async () => {
    const token = unsignedToken();
    const lines = await captureLogs(() => api('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${token}` } }));
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(1);
    const [line] = requests;
    expect(line).toMatchObject({
      level: 'warn',
      method: 'GET',
      path: '/api/me',
      status: 401,
      error_code: 'invalid_session',
    });
    expect(typeof line?.duration_ms).toBe('number');
    expect(line?.slow).toBeUndefined();
    expect(String(line?.cause)).toContain('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('the query string (a callback carries code and state there) is never logged', async () => {
    const lines = await captureLogs(async () => {
      await api('/auth/callback/google?code=SECRET-CODE&state=SECRET-STATE');
      await api('/api/me?code=SECRET-CODE&state=SECRET-STATE');
    });
    expect(JSON.stringify(lines)).not.toContain('SECRET-CODE');
    expect(JSON.stringify(lines)).not.toContain('SECRET-STATE');
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ path: '/api/me', status: 401 });
  });

  it('a Bearer request logs auth: bearer, and no token value', async () => {
    const lines = await captureLogs(() => api('/api/me', { headers: { authorization: `Bearer ${'x'.repeat(20)}` } }));
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ status: 401, error_code: 'invalid_session' });
    expect(JSON.stringify(lines)).not.toContain('x'.repeat(20));
  });
});
