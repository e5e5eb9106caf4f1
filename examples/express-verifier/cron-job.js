// @ts-check
/**
 * A cron job calling this example's /reports as a Sitewide service client: it gets an access token
 * with its id and secret (grant_type=client_credentials), keeps it until shortly before it expires,
 * and sends it as Bearer. Make the client with Sitewide's `npm run admin -- clients create`.
 *
 *   SITEWIDE_ISSUER=https://api.example.com CLIENT_ID=… CLIENT_SECRET=… AUDIENCE=https://billing.example.com \
 *   REPORTS_URL=http://127.0.0.1:3000/reports npm run cron
 *
 * TIMES and EVERY_MS call it repeatedly (default: once). One JSON line per call; the exit status is
 * the last call's (0: 200).
 */
import { SitewideClientTokenError, sitewideClientToken } from '@sitewide/verify';

/** @param {string} name @param {string} [fallback] @returns {string} */
const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const token = sitewideClientToken({
  issuer: env('SITEWIDE_ISSUER', 'http://localhost:8787'),
  clientId: env('CLIENT_ID'),
  clientSecret: env('CLIENT_SECRET'),
  audience: env('AUDIENCE', 'https://billing.example.com'),
});
const url = env('REPORTS_URL', 'http://127.0.0.1:3000/reports');
const times = Number(env('TIMES', '1'));
const every = Number(env('EVERY_MS', '1000'));

let ok = false;
for (let i = 0; i < times; i++) {
  try {
    const res = await fetch(url, { headers: { authorization: `Bearer ${await token()}` } });
    console.log(JSON.stringify({ status: res.status, body: await res.json() }));
    ok = res.ok;
    // Revoked (or expired early): the next call asks Sitewide for a new token, which says why if it can't.
    if (res.status === 401) token.reset();
  } catch (error) {
    if (!(error instanceof SitewideClientTokenError)) throw error;
    console.log(JSON.stringify({ status: error.status, error: error.code }));
    ok = false;
  }
  if (i + 1 < times) await new Promise((resolve) => setTimeout(resolve, every));
}
process.exitCode = ok ? 0 : 1;
