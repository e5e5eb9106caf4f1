/** The doctor's checks of the secrets (AUTH_SECRET, AUTH_GOOGLE_SECRET, SESSION_SIGNING_KEYS), when they are readable. */
import type { ConfigEnv } from '../src/config/env';
import { importSigningKeys } from '../src/session/keys';
import { type AddFinding, listOf } from './doctor-findings.ts';

/**
 * `local`: the secrets come from .dev.vars, where `npm run dev` writes any that is missing; else
 * from a deployment, where `npm run keys:secrets` prints the commands that set fresh ones.
 */
export async function checkSecrets(v: ConfigEnv, add: AddFinding, local: boolean): Promise<void> {
  const make = (name: string) =>
    local
      ? `Delete the ${name} line from .dev.vars and run npm run dev: it writes a fresh one`
      : `npm run keys:secrets prints the command that sets a fresh ${name}`;

  const secrets = listOf(v.AUTH_SECRET);
  if (secrets.length === 0) add('fail', 'AUTH_SECRET', 'is not set', make('AUTH_SECRET'));
  else if (secrets.some((s) => s.length < 32))
    add('fail', 'AUTH_SECRET', 'is shorter than 32 characters', make('AUTH_SECRET'));
  else if (secrets.some((s) => new Set(s).size < 8))
    add('fail', 'AUTH_SECRET', 'has almost no variety: it is guessable', make('AUTH_SECRET'));
  else add('ok', 'AUTH_SECRET', `${secrets.length} secret(s), long enough`);

  if (!v.AUTH_GOOGLE_SECRET?.trim()) {
    add(
      'fail',
      'AUTH_GOOGLE_SECRET',
      'is not set',
      local ? make('AUTH_GOOGLE_SECRET') : 'Copy it from the Google Cloud console',
    );
  } else {
    add('ok', 'AUTH_GOOGLE_SECRET', 'is set');
  }

  if (!v.SESSION_SIGNING_KEYS?.trim()) {
    add('fail', 'SESSION_SIGNING_KEYS', 'is not set', make('SESSION_SIGNING_KEYS'));
    return;
  }
  try {
    const keys = await importSigningKeys(v.SESSION_SIGNING_KEYS);
    add('ok', 'SESSION_SIGNING_KEYS', `${keys.publicJwks.length} ES256 key(s); signing with kid ${keys.current.kid}`);
  } catch (error) {
    add(
      'fail',
      'SESSION_SIGNING_KEYS',
      error instanceof Error ? error.message : String(error),
      local ? make('SESSION_SIGNING_KEYS') : 'npm run keys:new makes a valid key',
    );
  }
}
