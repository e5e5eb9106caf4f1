import type { SessionClaims } from '../session/token';
import type { GateHeaderNames } from './settings';

/**
 * Identity headers: the ones the gate sets for the origin, and every header a
 * client could send to pose as someone to an app that trusts a proxy. The
 * origin sees an identity header only when the gate set it.
 */

/**
 * Header names a client must never get through to the origin, whatever their
 * case and whether words are joined by `-` or `_` (CGI, PHP, WSGI and Rack turn
 * both into `HTTP_SITEWIDE_USER_EMAIL`, so `Sitewide_User_Email` would pass as
 * the real one): ours (`Sitewide-*`), Cloudflare Access's (`Cf-Access-*`), and
 * those of the proxies a gated app may have been set up for before: oauth2-proxy
 * (`X-Forwarded-User`, `-Email`, `-Preferred-Username`, `-Groups`,
 * `-Access-Token`, `X-Auth-Request-*`), Authelia and tinyauth (`Remote-User`,
 * `-Email`, `-Name`, `-Groups`), Grafana's example names (`X-WEBAUTH-*`),
 * Pomerium (`X-Pomerium-*`), Google IAP (`X-Goog-Authenticated-User-*`,
 * `X-Goog-IAP-JWT-Assertion`), Azure App Service (`X-MS-Client-Principal*`),
 * AWS ALB (`X-Amzn-Oidc-*`) and `X-Remote-User`.
 */
export const SPOOFABLE_HEADER =
  /^(?:sitewide|cf[-_]access|x[-_]auth[-_]request|x[-_]webauth|x[-_]pomerium|x[-_]goog[-_]authenticated[-_]user|x[-_]amzn[-_]oidc)[-_]|^x[-_]goog[-_]iap[-_]jwt[-_]assertion$|^x[-_]ms[-_]client[-_]principal|^x[-_]forwarded[-_](?:user|email|preferred[-_]username|groups|access[-_]token)$|^(?:x[-_])?remote[-_]user$|^remote[-_](?:email|name|groups)$/i;

/**
 * A header value for any text: as it is when it is printable ASCII without
 * `%` and without a space at either end; otherwise the whole value
 * percent-encoded as UTF-8 (`encodeURIComponent`: `José` → `Jos%C3%A9`, a CR or
 * LF → `%0D`/`%0A`). A plain value never holds `%`, so an origin may always
 * decode with `decodeURIComponent` and get the original back; one that does not
 * decode still reads ASCII values as they are.
 */
export function headerValue(text: string): string {
  return /^(?:[\x21-\x24\x26-\x7e](?:[\x20-\x24\x26-\x7e]*[\x21-\x24\x26-\x7e])?)?$/.test(text)
    ? text
    : encodeURIComponent(text);
}

/**
 * Appends the identity of the caller for the origin to `headers` (whose client
 * identity headers are already gone: append, not set, is all it takes). `sitewide`: `Sitewide-User-Id`, `-Email`,
 * `-Name`, `-Roles` (comma-separated) and `Sitewide-Jwt-Assertion`;
 * `cloudflare-access`: `Cf-Access-Authenticated-User-Email` and
 * `Cf-Access-Jwt-Assertion`, as Cloudflare Access names them. A profile value the
 * token does not carry (or carries as null) is left out.
 */
export function appendIdentityHeaders(
  headers: Headers,
  names: GateHeaderNames,
  claims: SessionClaims,
  assertion: string,
): void {
  if (names === 'cloudflare-access') {
    if (claims.email) headers.append('Cf-Access-Authenticated-User-Email', headerValue(claims.email));
    headers.append('Cf-Access-Jwt-Assertion', assertion);
    return;
  }
  headers.append('Sitewide-User-Id', headerValue(claims.sub));
  if (claims.email) headers.append('Sitewide-User-Email', headerValue(claims.email));
  if (claims.name) headers.append('Sitewide-User-Name', headerValue(claims.name));
  // Role names are [a-z0-9_.:-] (APP_ACCESS, `npm run admin`): no encoding needed, but a token is data.
  headers.append('Sitewide-User-Roles', headerValue(claims.roles.join(',')));
  headers.append('Sitewide-Jwt-Assertion', assertion);
}
