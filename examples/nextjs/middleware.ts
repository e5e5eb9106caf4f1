/**
 * Edge middleware: verifies the Sitewide session before the page and the API run.
 *  - /api/*: a request without a valid session gets Sitewide's error JSON (401, with a hint for the
 *    developer) and never reaches the route handler;
 *  - the page: always let through (it shows a sign-in link to anonymous visitors).
 * An expired session token is renewed at Sitewide (POST /auth/refresh); the renewed cookie goes out
 * on the response (Set-Cookie) and replaces the old one on the request the app receives.
 */
import { errorBody } from '@sitewide/verify';
import { type NextRequest, NextResponse } from 'next/server';
import { sitewide, withRenewedCookies } from './lib/sitewide';

export const config = { matcher: ['/', '/api/me'] };

export async function middleware(request: NextRequest) {
  const result = await sitewide().verify(request);

  if (!result.ok && request.nextUrl.pathname.startsWith('/api/')) {
    const refused = NextResponse.json(errorBody(result), { status: result.status });
    refused.headers.set('cache-control', 'no-store');
    // A refused renewal may clear the cookie: forward that too.
    for (const cookie of result.setCookie) refused.headers.append('set-cookie', cookie);
    return refused;
  }

  if (result.setCookie.length === 0) return NextResponse.next();
  const headers = new Headers(request.headers);
  headers.set('cookie', withRenewedCookies(request.headers.get('cookie'), result.setCookie));
  const response = NextResponse.next({ request: { headers } });
  for (const cookie of result.setCookie) response.headers.append('set-cookie', cookie);
  return response;
}
