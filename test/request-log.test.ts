import { afterEach, describe, expect, it, vi } from 'vitest';
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

describe('one structured log line per request', () => {
  it('a success: method, path, status, duration, request id, auth method; the id is echoed', async () => {
    const { jar } = await signIn({ sub: 'logged' });
    let res: Response | undefined;
    const lines = await captureLogs(async () => {
      res = await api('/api/me?x=1', { jar });
    });
    const requests = lines.filter((l) => l.msg === 'request');
    expect(requests).toHaveLength(1);
    const [line] = requests;
    expect(line).toMatchObject({ level: 'info', method: 'GET', path: '/api/me', status: 200, auth: 'cookie' });
    expect(typeof line?.duration_ms).toBe('number');
    expect(line?.request_id).toBe(res?.headers.get('x-request-id'));
    expect(JSON.stringify(lines)).not.toContain(jar.get(SESSION_COOKIE));
  });

  it('a failure: the error code and cause, never the token', async () => {
    const token = unsignedToken();
    const lines = await captureLogs(() => api('/api/me', { headers: { cookie: `${SESSION_COOKIE}=${token}` } }));
    const [line] = lines.filter((l) => l.msg === 'request');
    expect(line).toMatchObject({ level: 'warn', status: 401, error_code: 'invalid_session' });
    expect(String(line?.cause)).toContain('ERR_JOSE_ALG_NOT_ALLOWED');
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('the query string (a callback carries code and state there) is never logged', async () => {
    const lines = await captureLogs(() => api('/auth/callback/google?code=SECRET-CODE&state=SECRET-STATE'));
    expect(JSON.stringify(lines)).not.toContain('SECRET-CODE');
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ path: '/auth/callback/google' });
  });

  it('a Bearer request logs auth: bearer, and no token value', async () => {
    const lines = await captureLogs(() => api('/api/me', { headers: { authorization: `Bearer ${'x'.repeat(20)}` } }));
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ status: 401, error_code: 'invalid_session' });
    expect(JSON.stringify(lines)).not.toContain('x'.repeat(20));
  });
});
