/** Reading `.dev.vars`, the local secrets file wrangler dev loads, and writing the secrets it lacks. */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateAuthSecret, generateSigningJwk } from './secrets.ts';

export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (!match?.[1]) continue;
    let value = match[2] ?? '';
    if (/^'.*'$|^".*"$/.test(value)) value = value.slice(1, -1);
    vars[match[1]] = value;
  }
  return vars;
}

/** Fresh local values of the three secrets (the loopback OIDC server accepts any client secret). */
async function freshSecretLines(): Promise<Record<string, string>> {
  return {
    AUTH_SECRET: `AUTH_SECRET=${generateAuthSecret()}`,
    AUTH_GOOGLE_SECRET: 'AUTH_GOOGLE_SECRET=local-oidc-server-accepts-any-secret',
    SESSION_SIGNING_KEYS: `SESSION_SIGNING_KEYS='${JSON.stringify([await generateSigningJwk()])}'`,
  };
}

/**
 * Creates `.dev.vars` with fresh secrets when there is none, and adds a fresh line for each secret
 * it has no line for (so deleting a line is how to renew one). A line that is there, even empty,
 * is left alone: the doctor says what is wrong with it. Returns the variables and what was written.
 */
export async function ensureDevVars(
  path = '.dev.vars',
): Promise<{ vars: Record<string, string>; created: boolean; added: string[] }> {
  const fresh = await freshSecretLines();
  if (!existsSync(path)) {
    const text = [
      '# Created by `npm run dev` with fresh local secrets. Git-ignored: never commit it.',
      '# Every variable is described in .dev.vars.example and docs/configuration.md.',
      ...Object.values(fresh),
      '',
    ].join('\n');
    writeFileSync(path, text, { mode: 0o600 });
    return { vars: parseDevVars(text), created: true, added: Object.keys(fresh) };
  }
  let text = readFileSync(path, 'utf8');
  const missing = Object.keys(fresh).filter((name) => !(name in parseDevVars(text)));
  if (missing.length > 0) {
    const lines = missing.map((name) => fresh[name]).join('\n');
    appendFileSync(path, `${text.endsWith('\n') || text === '' ? '' : '\n'}${lines}\n`);
    text = readFileSync(path, 'utf8');
  }
  return { vars: parseDevVars(text), created: false, added: missing };
}
