/**
 * The page: greets a signed-in user, else links to Sitewide's one-click sign-in (back to this page).
 * The middleware ran first: a renewed cookie is already on this request, so this verification is local.
 */
import { signInUrl } from '@sitewide/verify/browser';
import { headers } from 'next/headers';
import { sitewide, sitewideIssuer } from '../lib/sitewide';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const request = await headers();
  const result = await sitewide().verify({ cookie: request.get('cookie') });
  if (result.ok) {
    const { user } = result;
    return (
      <main>
        <p>Signed in as {user.name ?? user.email ?? user.id}.</p>
        <p>
          <a href="/api/me">Your Sitewide user as JSON</a>
        </p>
      </main>
    );
  }
  if (result.status >= 500) {
    // Sitewide unreachable or this app misconfigured: the hint is for the developer's log.
    console.error(`sitewide: ${result.code}: ${result.message} (${result.hint ?? 'no hint'})`);
    return (
      <main>
        <p>Sign-in is unavailable right now; try again shortly.</p>
      </main>
    );
  }
  const proto = request.get('x-forwarded-proto') ?? 'http';
  const back = `${proto}://${request.get('host') ?? 'localhost'}/`;
  return (
    <main>
      <p>
        <a href={signInUrl(sitewideIssuer(), back)}>Sign in with Google</a>
      </p>
    </main>
  );
}
