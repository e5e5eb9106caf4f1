import type { Context } from 'hono';
import type { RequestMeta } from '../users/auth-events';

/** The caller's IP (set by Cloudflare's edge) and user agent, for sessions and the audit trail. */
export function requestMeta(c: Context): RequestMeta {
  return { ip: c.req.header('cf-connecting-ip') ?? null, userAgent: c.req.header('user-agent') ?? null };
}
