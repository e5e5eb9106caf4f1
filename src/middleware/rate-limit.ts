import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env';
import { apiError } from '../errors';

export interface RateLimitOptions {
  /** Routes sharing a group share a budget per client IP (or per `keyOf`). */
  group: string;
  /** The Workers Rate Limiting binding (the edge passes `c.env.X`); absent means not limited. */
  limiter: (env: AppEnv['Bindings']) => RateLimit | undefined;
  /** The binding's period in seconds (10 or 60), announced in Retry-After. */
  periodSeconds: number;
  /**
   * Whose budget a request spends; the client IP by default. A route whose
   * callers share an IP (a sibling's server, a service binding) keys by
   * something of the caller's own instead.
   */
  keyOf?: (c: Context<AppEnv>) => string | undefined;
}

/**
 * Limits a route group per client IP with the Workers Rate Limiting binding;
 * over the limit answers `429 rate_limited` with `Retry-After`.
 *
 * @example app.post('/auth/signin/*', rateLimit({ group: 'sign-in', limiter: (env) => env.AUTH_RATE_LIMIT, periodSeconds: 60 }))
 */
export function rateLimit(options: RateLimitOptions) {
  return createMiddleware<AppEnv>(async function rateLimitByIp(c, next) {
    const limiter = options.limiter(c.env);
    if (limiter) {
      const key = options.keyOf?.(c) ?? c.req.header('cf-connecting-ip') ?? 'unknown';
      const { success } = await limiter.limit({ key: `${options.group}:${key}` });
      if (!success) {
        throw apiError(
          429,
          'rate_limited',
          `Too many ${options.group} requests; retry in ${options.periodSeconds} seconds`,
          {
            headers: { 'Retry-After': String(options.periodSeconds) },
          },
        );
      }
    }
    await next();
  });
}
