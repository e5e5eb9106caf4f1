/**
 * `POST /auth/token` with `grant_type=client_credentials` (RFC 6749 §4.4): a service client trades
 * its id and secret for an access token for one of its audiences. No cookie, no CSRF check: the
 * request carries no ambient credential (a cookie sent along is never read). Mounted in front of the
 * cookie flow on the same route (src/routes/tokens.ts): a form-encoded request is this grant's,
 * whatever it holds; JSON goes on to the cookie flow.
 */
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { mayReach } from '../access/app-access';
import type { AppEnv } from '../app-env';
import type { Config } from '../config/config';
import { dbFor } from '../db/client';
import { guardDb } from '../db/guard';
import type { ServiceClient } from '../db/schema';
import { describeCause, log } from '../log';
import { authenticateClient } from './authenticate';
import { signClientToken } from './client-token';
import { isFormRequest, MAX_GRANT_BODY, parseGrantRequest } from './grant-request';
import { type OAuthFailure, oauthErrorResponse } from './oauth-error';
import { failuresExhausted, rateLimited, spendFailure, spendSuccess } from './rate-limits';
import { constantTimeEqual } from './secret';
import { findClient, markClientUsed } from './store';

/** The audience the token is for, or why the client may not have one (RFC 8707 §2: `invalid_target`). */
export function chooseAudience(
  requested: string | undefined,
  client: Pick<ServiceClient, 'audiences' | 'roles'>,
  config: Pick<Config, 'tokenAudiences' | 'appAccess'>,
): { ok: true; audience: string } | { ok: false; failure: OAuthFailure } {
  const target = (description: string) => ({
    ok: false as const,
    failure: { error: 'invalid_target' as const, description },
  });
  const allowed = client.audiences;
  let audience = requested;
  if (audience === undefined) {
    // Without one, the client's only audience; with several, the client must say (RFC 8707 §2).
    if (allowed.length !== 1)
      return target(`Name the audience (audience=...): this client may ask for ${allowed.join(', ')}`);
    audience = allowed[0] as string;
  }
  if (!allowed.includes(audience))
    return target(`This client may not get tokens for that audience; it may for ${allowed.join(', ')}`);
  if (!config.tokenAudiences.has(audience)) return target(`${audience} is no longer in TOKEN_AUDIENCES`);
  if (!mayReach(config.appAccess, audience, client.roles)) {
    const needs = config.appAccess.get(audience)?.join(', ');
    return target(`APP_ACCESS requires one of the roles ${needs} for ${audience}; this client has none of them`);
  }
  return { ok: true, audience };
}

/**
 * A token's `iat`: now, or later when the client's tokens were revoked before a time still ahead of
 * this second (a rotation without overlap a moment ago): the feed refuses `iat` before that time,
 * and a token issued with the new secret must not be refused with the old ones.
 */
export function issuedAt(now: Date, tokensRevokedBefore: Date | null): number {
  const seconds = Math.floor(now.getTime() / 1000);
  if (!tokensRevokedBefore) return seconds;
  return Math.max(seconds, Math.floor(tokensRevokedBefore.getTime() / 1000) + 1);
}

function refused(c: Context<AppEnv>, failure: OAuthFailure, cause?: string): Response {
  c.set('errorCode', failure.error);
  if (cause) c.set('errorCause', cause);
  return oauthErrorResponse(failure, c.var.config.apiOrigin);
}

/** The body as text, read no further than MAX_GRANT_BODY bytes (undefined past it). */
async function readBody(request: Request): Promise<string | undefined> {
  if (Number(request.headers.get('content-length') ?? '0') > MAX_GRANT_BODY) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
    size += read.value.byteLength;
    if (size > MAX_GRANT_BODY) {
      await reader?.cancel();
      return undefined;
    }
    chunks.push(read.value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

async function grantClientCredentials(c: Context<AppEnv>): Promise<Response> {
  const { config, keys } = c.var;
  const limiter = c.env.AUTH_RATE_LIMIT;
  const ip = c.req.header('cf-connecting-ip') ?? 'unknown';
  const now = new Date();
  if (failuresExhausted(limiter, ip, now.getTime()))
    throw rateLimited('failed client authentications from this address');

  const body = await readBody(c.req.raw);
  if (body === undefined)
    return refused(c, { error: 'invalid_request', description: `The body exceeds ${MAX_GRANT_BODY} bytes` });
  const parsed = parseGrantRequest(body, c.req.header('authorization') ?? null);
  if (!parsed.ok) {
    if (parsed.failure.error === 'invalid_client' && !(await spendFailure(limiter, ip, now.getTime()))) {
      throw rateLimited('failed client authentications from this address');
    }
    return refused(c, parsed.failure);
  }
  const { grant } = parsed;

  // The primary, never a replica: a client revoked or rotated a moment ago must not get a token.
  const db = dbFor(c.env.DB);
  const authenticated = await guardDb(() =>
    authenticateClient(grant.credentials, { find: (id) => findClient(db, id), compare: constantTimeEqual, now }),
  );
  if (!authenticated.ok) {
    if (!(await spendFailure(limiter, ip, now.getTime())))
      throw rateLimited('failed client authentications from this address');
    return refused(
      c,
      {
        error: 'invalid_client',
        description: 'Client authentication failed: unknown client, wrong secret, or revoked',
      },
      `${authenticated.reason} (${grant.method})`,
    );
  }
  const { client } = authenticated;
  if (!(await spendSuccess(limiter, client.id)))
    throw rateLimited('tokens for this client: cache each until it expires');

  const chosen = chooseAudience(grant.audience, client, config);
  if (!chosen.ok) return refused(c, chosen.failure);

  const iat = issuedAt(now, client.tokensRevokedBefore);
  const accessToken = await signClientToken(
    { clientId: client.id, audience: chosen.audience, roles: client.roles, iat, ttl: config.accessTokenTtl },
    keys,
    config.apiOrigin,
  );
  recordUse(c, db, client.id, now);
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
  return c.json({ access_token: accessToken, token_type: 'Bearer', expires_in: config.accessTokenTtl });
}

/** `last_used_at`, after the answer (a failure is logged, never the client's). */
function recordUse(c: Context<AppEnv>, db: ReturnType<typeof dbFor>, id: string, now: Date): void {
  const writing = markClientUsed(db, id, now).catch((cause) => {
    log('warn', 'service client: writing last_used_at failed', { cause: describeCause(cause), client_id: id });
  });
  try {
    c.executionCtx.waitUntil(writing);
  } catch {
    // No execution context (app.request in a test): the promise runs on its own.
  }
}

/**
 * Serves the client-credentials grant for a form-encoded POST; anything else goes on (`next()`) to
 * the cookie flow.
 */
export function clientCredentialsGrant() {
  return createMiddleware<AppEnv>(async function clientCredentialsGrant(c, next) {
    if (!isFormRequest(c.req.raw)) return next();
    return grantClientCredentials(c);
  });
}
