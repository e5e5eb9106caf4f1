/**
 * Production secrets.
 *   npm run keys:new       prints one new ES256 signing key (a private JWK)
 *   npm run keys:secrets   prints the `wrangler secret put` commands for a new deployment
 */
import { generateAuthSecret, generateSigningJwk } from './secrets.ts';

const [command = 'new'] = process.argv.slice(2);

function secretPut(name: string, value: string) {
  // Single quotes: the JSON has no single quotes, so the shell passes it untouched.
  return `printf '%s' '${value}' | npx wrangler secret put ${name} --env production`;
}

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
  default:
    console.error(`unknown command '${command}'; use 'new' or 'secrets'`);
    process.exit(2);
}
