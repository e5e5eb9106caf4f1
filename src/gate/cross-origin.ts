/** Methods that change nothing (as csrfGuard's); every other method is a write. */
const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;

/**
 * Why a cookie-authenticated request to a gated app is refused as cross-origin,
 * or undefined when it may pass. Sibling subdomains are same-site, so
 * SameSite=Lax sends the session cookie on their writes and WebSocket
 * handshakes too (DESIGN §8); many apps behind a proxy check neither. So a
 * write (any method but GET, HEAD, OPTIONS) or a WebSocket upgrade whose
 * `Origin` is not the gated origin itself (another sibling, `null`) is refused,
 * as is one without `Origin` that the browser marks `Sec-Fetch-Site: same-site`
 * or `cross-site`. A request without either header (curl, a server) passes: it
 * carries no ambient credential of a browser's. Reads and same-origin writes
 * pass; the app's own CSRF defences stay its business.
 */
export function crossOriginRefusal(request: Request, gatedOrigin: string): string | undefined {
  const headers = request.headers;
  const upgrade = headers.get('upgrade');
  const websocket = upgrade !== null && upgrade.toLowerCase() === 'websocket';
  if (SAFE_METHOD.test(request.method) && !websocket) return undefined;
  const origin = headers.get('origin');
  if (origin === gatedOrigin) return undefined;
  const what = websocket ? 'WebSocket connections' : `${request.method} requests`;
  if (origin !== null) return `${what} to ${gatedOrigin} from another origin ('${origin}') are refused by the gate`;
  const site = headers.get('sec-fetch-site');
  if (site === 'same-site' || site === 'cross-site')
    return `${what} to ${gatedOrigin} from another site are refused by the gate`;
  return undefined;
}
