// The model of the hostile-sibling properties: what a generated jar holds, and what may come back for it.
import { decodeJwt } from 'jose';
import { setCookies } from './cookies';
import type { Cookie, Genuine, Pool } from './hostile-jars';
import { SESSION_COOKIE } from './worker';

export const exactValues = (jar: readonly Cookie[]) => jar.filter((c) => c.name === SESSION_COOKIE).map((c) => c.value);

/** The genuine session of the jar's single exact-name session cookie, if there is exactly one such cookie. */
export function soleGenuine(jar: readonly Cookie[], p: Pool): Genuine | undefined {
  const values = exactValues(jar);
  return values.length === 1 ? p.byToken.get(values[0] as string) : undefined;
}

export const isSessionCookieName = (name: string) => name.startsWith(SESSION_COOKIE);

/** Whose session a token the server set belongs to, in the pool's labels (for failure messages). */
export function whose(token: string, p: Pool): string {
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
export function sessionCookieViolations(res: Response, jar: readonly Cookie[], p: Pool): string[] {
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

export interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

/** Status >= 500 is a violation; so is a 4xx whose body is not `{"error":{"code","message"}}`. */
export async function errorShapeViolation(res: Response): Promise<string | undefined> {
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

export function failWith(violations: string[], jar: readonly Cookie[]) {
  if (violations.length > 0) {
    throw new Error(
      `${violations.join('\n')}\njar: ${jar.map((c) => `${c.name}=<${c.label}>`).join('; ') || '(empty)'}`,
    );
  }
}
