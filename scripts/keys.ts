/**
 * Production secrets.
 *   npm run keys:new       prints one new ES256 signing key (a private JWK)
 *   npm run keys:secrets   prints `wrangler secret put` commands for a new deployment
 *   npm run keys:rotate    reads the current SESSION_SIGNING_KEYS (env var, or JSON on stdin),
 *                          prints the rotated list (new key first, old keys kept) and its command
 *   npm run keys:retire -- KID   prints the list without KID, and its command
 */
import { readFileSync } from 'node:fs';
import { generateAuthSecret, generateSigningJwk } from './secrets.ts';

type Jwk = Record<string, unknown> & { kid?: string };

function secretPut(name: string, value: string) {
  // Single quotes: the JSON has no single quotes, so the shell passes it untouched.
  return `printf '%s' '${value}' | npx wrangler secret put ${name} --env production`;
}

function currentKeys(): Jwk[] {
  const raw = process.env.SESSION_SIGNING_KEYS ?? (process.stdin.isTTY ? '' : readFileSync(0, 'utf8'));
  if (!raw.trim()) {
    console.error("Give the current keys: SESSION_SIGNING_KEYS='[...]' npm run keys:rotate (or pipe the JSON in)");
    process.exit(2);
  }
  const keys = JSON.parse(raw) as Jwk[];
  if (!Array.isArray(keys) || keys.some((k) => typeof k?.kid !== 'string' || typeof k.d !== 'string')) {
    console.error('SESSION_SIGNING_KEYS must be a JSON array of private JWKs, each with a kid');
    process.exit(2);
  }
  return keys;
}

function printKeys(keys: Jwk[], note: string) {
  console.log(`# ${note}`);
  console.log(`# kids, newest (signing) first: ${keys.map((k) => k.kid).join(', ')}`);
  console.log(secretPut('SESSION_SIGNING_KEYS', JSON.stringify(keys)));
}

const [command = 'new', arg] = process.argv.slice(2);
switch (command) {
  case 'new':
    console.log(JSON.stringify(await generateSigningJwk()));
    break;
  case 'secrets':
    console.log('# Run these once per deployment (Cloudflare login required). They are secrets: do not commit them.');
    console.log(secretPut('AUTH_SECRET', generateAuthSecret()));
    console.log(secretPut('SESSION_SIGNING_KEYS', JSON.stringify([await generateSigningJwk()])));
    console.log('# And your Google OAuth client secret, from the Google Cloud console:');
    console.log('npx wrangler secret put AUTH_GOOGLE_SECRET --env production');
    break;
  case 'rotate': {
    const keys = [await generateSigningJwk(), ...currentKeys()];
    printKeys(keys, 'New key first: it signs from now on; the old keys keep verifying until you retire them.');
    break;
  }
  case 'retire': {
    const keys = currentKeys();
    const kept = keys.filter((k) => k.kid !== arg);
    if (!arg || kept.length === keys.length) {
      console.error(`no key with kid '${arg ?? ''}'; kids: ${keys.map((k) => k.kid).join(', ')}`);
      process.exit(2);
    }
    if (kept.length === 0 || keys[0]?.kid === arg) {
      console.error('refusing to retire the signing (first) key: rotate first');
      process.exit(2);
    }
    printKeys(kept, `Retired ${arg}: tokens it signed stop verifying once this is deployed.`);
    break;
  }
  default:
    console.error(`unknown command '${command}'; use new, secrets, rotate or retire`);
    process.exit(2);
}
