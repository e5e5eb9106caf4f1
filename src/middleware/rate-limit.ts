import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { apiError } from '../errors';

export interface RateLimitOptions {
  /** Routes sharing a group share a budget per key (the client IP, for the middleware). */
  group: string;
  /** The Workers Rate Limiting binding (the edge passes `c.env.X`); absent means not limited. */
  limiter: (env: AppEnv['Bindings']) => RateLimit | undefined;
  /** The binding's period in seconds (10 or 60), announced in Retry-After. */
  periodSeconds: number;
}

/** The client's IP as Cloudflare's edge sets it; `unknown` without one (a service binding, a test). */
export function clientIpOf(c: Context<AppEnv>): string {
  return c.req.header('cf-connecting-ip') ?? 'unknown';
}

/**
 * Spends one request of `key`'s budget in `options.group`; over the limit
 * throws `429 rate_limited` with `Retry-After`. For a route that picks its
 * key only once it knows more (POST /auth/refresh: the session, once its
 * token verified).
 */
export async function spendBudget(c: Context<AppEnv>, options: RateLimitOptions, key: string): Promise<void> {
  const limiter = options.limiter(c.env);
  if (!limiter) return;
  const { success } = await limiter.limit({ key: `${options.group}:${key}` });
  if (!success) {
    throw apiError(
      429,
      'rate_limited',
      `Too many ${options.group} requests; retry in ${options.periodSeconds} seconds`,
      { headers: { 'Retry-After': String(options.periodSeconds) } },
    );
  }
}

/**
 * Limits a route group per client IP with the Workers Rate Limiting binding;
 * over the limit answers `429 rate_limited` with `Retry-After`.
 *
 * @example app.post('/auth/signin/*', rateLimit({ group: 'sign-in', limiter: (env) => env.AUTH_RATE_LIMIT, periodSeconds: 60 }))
 */
export function rateLimit(options: RateLimitOptions) {
  return createMiddleware<AppEnv>(async function rateLimitByIp(c, next) {
    await spendBudget(c, options, clientIpOf(c));
    await next();
  });
}
