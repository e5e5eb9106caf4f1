import type { ErrorBody } from '../../src/errors';

/** The app, an ALLOWED_ORIGINS sibling (vitest.config.ts); APP_URL is where browsers land by default. */
export const APP_ORIGIN = 'https://app.example.test';
export const APP_URL = `${APP_ORIGIN}/`;
/** Where the sign-out tests ask to land. */
export const BYE = `${APP_ORIGIN}/bye`;

/** Headers of a request the app's page makes: its Origin. */
export const FROM_APP = { origin: APP_ORIGIN };
/** Headers of an HTML form post (what the Auth.js routes read). */
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The `error.code` of an error response, undefined when it has none; `res` stays unread. */
export async function codeOf(res: Response): Promise<string | undefined> {
  return ((await res.clone().json()) as Partial<ErrorBody>).error?.code;
}

/** Status and JSON body together, for one assertion on both. */
export async function json<T = ErrorBody>(res: Response): Promise<{ status: number; body: T }> {
  return { status: res.status, body: (await res.json()) as T };
}
