import { Auth } from '@auth/core';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { createAuthConfig } from '../auth/auth-config';
import { createDb } from '../db/client';
import { serviceUnavailable } from '../errors';

/** `/auth/*`: Auth.js core (sign-in page, CSRF, Google redirect and callback, sign-out). */
export const authRoutes = new Hono<AppEnv>().all('/auth/*', async function authJs(c) {
  const { config } = c.var;
  let storageError: { cause: unknown } | undefined;
  const authConfig = createAuthConfig({
    config,
    keys: c.var.keys,
    db: createDb(c.env.DB),
    userAgent: c.req.header('user-agent') ?? null,
    onStorageError: (cause) => {
      storageError = { cause };
    },
  });
  // Pin the origin to AUTH_URL: the redirect_uri and cookie names never depend on a Host header.
  const url = new URL(c.req.url);
  const request = new Request(`${config.apiOrigin}${url.pathname}${url.search}`, c.req.raw);
  const response = await Auth(request, authConfig);
  if (storageError) throw serviceUnavailable(storageError.cause);
  return response;
});
