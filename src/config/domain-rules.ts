// Host and cookie-domain rules the config (src/config/config.ts) and the doctor (scripts/doctor-checks.ts) share.

/** Loopback development hosts, where plain http and host-only cookies are allowed. */
export function isLocalhost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

/**
 * Hosting suffixes on the Public Suffix List that people try first: a
 * `Domain=` cookie there is refused by browsers. The full list is checked at
 * deploy time (`npm run doctor`, run by `npm run deploy`), not shipped in the
 * Worker (tldts carried ~45 KiB gzip of it).
 */
export const KNOWN_HOSTING_SUFFIXES: ReadonlySet<string> = new Set([
  'workers.dev',
  'pages.dev',
  'r2.dev',
  'trycloudflare.com',
  'vercel.app',
  'now.sh',
  'netlify.app',
  'github.io',
  'gitlab.io',
  'herokuapp.com',
  'fly.dev',
  'onrender.com',
  'web.app',
  'firebaseapp.com',
  'appspot.com',
  'azurewebsites.net',
  'azurestaticapps.net',
  'cloudfront.net',
  'amplifyapp.com',
  'deno.dev',
  'ngrok.io',
  'ngrok-free.app',
  'glitch.me',
  'replit.app',
  'up.railway.app',
]);

/** Second-level labels that, under a two-letter country TLD, make a registry suffix (co.uk, com.au, ne.jp…). */
const COUNTRY_SECOND_LEVELS = new Set('ac co com edu gob go gov ltd me mil ne net nic nom or org plc sch'.split(' '));

/**
 * A cheap structural stand-in for the Public Suffix List, run at every isolate
 * start: one label (`com`, `dev`), a listed hosting suffix (KNOWN_HOSTING_SUFFIXES),
 * or a country second level (`co.uk`, `com.au`, `co.jp`, `org.nz`: a label of
 * COUNTRY_SECOND_LEVELS under a two-letter TLD). Anything else on the list
 * (e.g. `s3.amazonaws.com`, `blogspot.com`) is caught by `npm run doctor` before deploy.
 */
export function isPublicSuffix(domain: string): boolean {
  const labels = domain.split('.');
  if (labels.length < 2 || labels.some((l) => !l)) return true;
  if (KNOWN_HOSTING_SUFFIXES.has(domain)) return true;
  const [second, tld] = labels as [string, string];
  return labels.length === 2 && tld.length === 2 && COUNTRY_SECOND_LEVELS.has(second);
}

/** `host` is `domain` itself or a subdomain of it (label-aligned, not a suffix match). */
export function isWithinDomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}
