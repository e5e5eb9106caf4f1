// The demo's words (demo/words.js): devices and error sentences instead of raw user agents and codes.
import { describe, expect, it } from 'vitest';
import { deviceName, errorSentence } from '../demo/words.js';

describe('deviceName: a user agent as "Browser on OS"', () => {
  const cases: Array<[string, string]> = [
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on Linux',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      'Chrome on Linux',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
      'Edge on Windows',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Windows'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
      'Chrome on iOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
      'Samsung Internet on Android',
    ],
    [
      'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on ChromeOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 OPR/114.0.0.0',
      'Opera on Windows',
    ],
    ['curl/8.5.0', 'curl'],
    ['Mozilla/5.0 (X11; Linux x86_64) SomethingNew/1.0', 'Unknown browser on Linux'],
    ['node', 'Unknown device'],
    ['', 'Unknown device'],
  ];
  for (const [userAgent, expected] of cases) {
    it(`${expected}: ${userAgent.slice(0, 60) || '(empty)'}`, () => {
      expect(deviceName(userAgent)).toBe(expected);
    });
  }

  it('no user agent recorded: "Unknown device"', () => {
    expect(deviceName(null)).toBe('Unknown device');
    expect(deviceName(undefined)).toBe('Unknown device');
  });
});

describe('errorSentence: a stable code in words, else the server message', () => {
  it('a known code gets its sentence, never the code', () => {
    const sentence = errorSentence({ error: { code: 'missing_session', message: 'No session cookie' } }, 401);
    expect(sentence).toBe('You are signed out.');
    expect(errorSentence({ error: { code: 'rate_limited', message: 'x' } }, 429)).toBe(
      'Too many attempts. Please wait a minute and try again.',
    );
  });

  it("misconfigured shows the server's message, which says what to fix", () => {
    const message = "COOKIE_DOMAIN 'workers.dev' is a public suffix; use a domain you own";
    expect(errorSentence({ error: { code: 'misconfigured', message } }, 500)).toBe(
      `The API is misconfigured: ${message}.`,
    );
    expect(errorSentence({ error: { code: 'misconfigured', message: 'Ends with a period.' } }, 500)).toBe(
      'The API is misconfigured: Ends with a period.',
    );
  });

  it("an unknown code falls back to the server's message, then to the status", () => {
    expect(errorSentence({ error: { code: 'brand_new', message: 'Something new happened' } }, 400)).toBe(
      'Something new happened',
    );
    expect(errorSentence({}, 502)).toBe('The request failed (HTTP 502).');
    expect(errorSentence(undefined, 0)).toBe('The request failed (HTTP 0).');
  });

  it('every code the API documents has a sentence or a message (none shows as a raw code)', () => {
    for (const code of [
      'missing_session',
      'invalid_session',
      'session_expired',
      'session_revoked',
      'user_not_found',
      'user_disabled',
      'csrf_rejected',
      'reauth_required',
      'rate_limited',
      'access_denied',
      'not_found',
      'service_unavailable',
      'internal_error',
    ]) {
      expect(errorSentence({ error: { code, message: code } }, 400)).not.toContain(code);
    }
  });
});
