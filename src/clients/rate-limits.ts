/**
 * The client-credentials grant's own rate limits, in AUTH_RATE_LIMIT (30 per minute per key in
 * production): a failed client authentication spends its IP's budget (group
 * `client-credentials-failures`), a token issued spends the client's (group `client-credentials`).
 * So a wrong secret that names a real client's id never burns that client's budget, and jobs behind
 * one NAT spend nothing of each other's. The cookie flow's per-IP `token` group is not spent.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { apiError } from '../errors';
import { isFormRequest } from './grant-request';

export const CLIENT_GROUP = 'client-credentials';
export const FAILURE_GROUP = 'client-credentials-failures';
/** AUTH_RATE_LIMIT's period (wrangler.toml), announced in Retry-After. */
export const PERIOD_SECONDS = 60;

/**
 * IPs whose failure budget is spent, per limiter, until when (ms): their next attempts in this
 * isolate are refused before any D1 read or hashing. Bounded; the oldest entry makes room.
 */
const blocked = new WeakMap<RateLimit, Map<string, number>>();
const MAX_BLOCKED = 10_000;

export function rateLimited(what: string) {
  return apiError(429, 'rate_limited', `Too many ${what}; retry in ${PERIOD_SECONDS} seconds`, {
    headers: { 'Retry-After': String(PERIOD_SECONDS) },
  });
}

/** Whether this IP spent its failure budget recently (seen by this isolate). */
export function failuresExhausted(limiter: RateLimit | undefined, ip: string, now: number): boolean {
  const until = limiter ? blocked.get(limiter)?.get(ip) : undefined;
  return until !== undefined && until > now;
}

/** Counts one failed client authentication against the IP; false when its budget is spent. */
export async function spendFailure(limiter: RateLimit | undefined, ip: string, now: number): Promise<boolean> {
  if (!limiter) return true;
  const { success } = await limiter.limit({ key: `${FAILURE_GROUP}:${ip}` });
  if (!success) {
    let map = blocked.get(limiter);
    if (!map) {
      map = new Map();
      blocked.set(limiter, map);
    }
    if (map.size >= MAX_BLOCKED) map.delete(map.keys().next().value as string);
    map.set(ip, now + PERIOD_SECONDS * 1000);
  }
  return success;
}

/** Counts one token issued to the client; false when its budget is spent. */
export async function spendSuccess(limiter: RateLimit | undefined, clientId: string): Promise<boolean> {
  if (!limiter) return true;
  return (await limiter.limit({ key: `${CLIENT_GROUP}:${clientId}` })).success;
}

/**
 * Runs `middleware` (the cookie flow's per-IP `token` limit) for every POST /auth/token but the
 * client-credentials grant's (form-encoded), which has the limits above.
 */
export function exceptClientGrant(middleware: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async function unlessClientGrant(c: Context<AppEnv>, next) {
    if (isFormRequest(c.req.raw)) return next();
    return middleware(c, next);
  };
}
