/**
 * GET /api/me: the Sitewide user as JSON. The middleware already refused requests without a session;
 * verifying here too keeps the handler safe on its own (e.g. if the matcher changes), and is local
 * (the public keys are cached; a token the middleware renewed arrives renewed).
 */
import { errorBody } from '@sitewide/verify';
import { sitewide } from '../../../lib/sitewide';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const result = await sitewide().verify(request);
  const response = result.ok
    ? Response.json({ user: result.user, session: result.session, via: result.via })
    : Response.json(errorBody(result), { status: result.status });
  response.headers.set('cache-control', 'no-store');
  for (const cookie of result.setCookie) response.headers.append('set-cookie', cookie);
  return response;
}
