/**
 * The API of @hono/auth-js (dist/index.d.ts, 1.1.x) without its `declare module "hono"`
 * augmentation of ContextVariableMap, which would leak into every file of a program: the
 * peer Worker is type-checked against this (bench/tsconfig.peer.json maps the import here)
 * and declares the variables on its own Hono app instead. The bundle uses the real package.
 */
import type { AuthConfig as CoreAuthConfig } from '@auth/core';
import type { AdapterUser } from '@auth/core/adapters';
import type { JWT } from '@auth/core/jwt';
import type { Session } from '@auth/core/types';
import type { Context, MiddlewareHandler } from 'hono';

export type AuthEnv = {
  AUTH_URL?: string;
  AUTH_SECRET: string;
  AUTH_REDIRECT_PROXY_URL?: string;
  [key: string]: string | undefined;
};
export type AuthUser = { session: Session; token?: JWT; user?: AdapterUser };
export interface AuthConfig extends Omit<CoreAuthConfig, 'raw'> {}
export type ConfigHandler = (c: Context) => AuthConfig | Promise<AuthConfig>;
export declare function setEnvDefaults(env: AuthEnv, config: AuthConfig): void;
export declare function reqWithEnvUrl(req: Request, authUrl?: string): Request;
export declare function getAuthUser(c: Context): Promise<AuthUser | null>;
export declare function verifyAuth(): MiddlewareHandler;
export declare function initAuthConfig(cb: ConfigHandler): MiddlewareHandler;
export declare function authHandler(): MiddlewareHandler;
