// Nothing a client sends reaches a log line, an error message or a diagnose report as a control
// character (C0, DEL, C1), a line or paragraph separator, or a bidi override: such values are escaped
// JSON-style (\u001b) and cut to a length. Tried as an attacker: terminal escapes (ESC [ 2 J, the 8-bit
// CSI U+009B) and RIGHT-TO-LEFT OVERRIDE in a path, a query, an Origin, a cookie name and a token's kid.
import { base64url } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { escapeControlsDeep } from '../src/untrusted-text';
import { api, SESSION_COOKIE } from './support/worker';

afterEach(() => vi.restoreAllMocks());

/** What must never come out raw. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for exactly these
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const ESC = '\u001b';
const CSI = '\u009b';
const RLO = '\u202e';

/** Every string inside a parsed JSON value. */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)]);
  return [];
}

async function expectClean(res: Response) {
  const text = await res.text();
  // An HTML page has line breaks of its own; nothing else.
  expect(text.replaceAll('\n', '')).not.toMatch(UNSAFE);
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    for (const s of stringsOf(JSON.parse(text))) expect(s, JSON.stringify(s)).not.toMatch(UNSAFE);
  }
  return text;
}

/** The raw lines the Worker writes to the console while `run` executes. */
async function rawLogLines(run: () => Promise<unknown>): Promise<string[]> {
  const lines: string[] = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
  }
  await run();
  vi.restoreAllMocks();
  return lines;
}

describe('control characters from client input', () => {
  it('never reach the log line (a path decoded to U+009B, U+202E, ESC), and the path is cut to a length', async () => {
    const path = `/nope/%C2%9B31m%E2%80%AE%1B%5B2J/${'x'.repeat(3000)}`;
    const lines = await rawLogLines(async () => {
      expect((await api(path)).status).toBe(404);
    });
    const logged = lines.filter((l) => l.includes('"msg":"request"'));
    expect(logged).toHaveLength(1);
    const [line] = logged as [string];
    expect(line).not.toMatch(UNSAFE);
    // Escaped in the value itself (a parser of the line gets the six characters \u009b, not U+009B).
    expect(line).toContain('\\\\u009b31m\\\\u202e\\\\u001b[2J');
    for (const s of stringsOf(JSON.parse(line))) expect(s, JSON.stringify(s)).not.toMatch(UNSAFE);
    expect(line.length).toBeLessThan(1500);
  });

  it('never reach an error message: /auth/error?error=…, /auth/signin/<provider>', async () => {
    const error = await api(`/auth/error?error=${encodeURIComponent(`${ESC}[31mX${CSI}${RLO}`)}`);
    expect(error.status).toBe(400);
    expect(await expectClean(error)).toContain('\\\\u001b[31mX');
    const page = await api(`/auth/error?error=${encodeURIComponent(`${ESC}[31m`)}`, {
      headers: { accept: 'text/html' },
    });
    await expectClean(page);
    const provider = await api(`/auth/signin/${encodeURIComponent(`${ESC}[2J${CSI}`)}`);
    expect(provider.status).toBe(404);
    await expectClean(provider);
  });

  it('never reach the diagnose report: Origin, cookie names, a token kid', async () => {
    const header = base64url.encode(
      JSON.stringify({ alg: 'ES256', typ: 'sitewide-session+jwt', kid: `${ESC}[2J${CSI}` }),
    );
    const token = `${header}.${base64url.encode('{}')}.${base64url.encode('sig')}`;
    const res = await api('/auth/diagnose', {
      headers: {
        origin: `https://evil${ESC}[2J${CSI}.example.test`,
        cookie: `theme${CSI}${RLO}=dark; ${SESSION_COOKIE}=${token}`,
      },
    });
    expect(res.status).toBe(200);
    const text = await expectClean(res);
    expect(text).toContain('\\\\u001b[2J');
  });
});

describe('escapeControlsDeep (every log record goes through it)', () => {
  it('writes a Date or URL as JSON would, its text escaped, never as an empty object', () => {
    const record = { at: new Date(0), url: new URL('https://x.example.test/\u009b'), nested: [{ at: new Date(1000) }] };
    expect(escapeControlsDeep(record)).toEqual({
      at: '1970-01-01T00:00:00.000Z',
      url: 'https://x.example.test/%C2%9B',
      nested: [{ at: '1970-01-01T00:00:01.000Z' }],
    });
    expect(escapeControlsDeep({ text: 'a\u001bb' })).toEqual({ text: 'a\\u001bb' });
  });
});
