/** Reading and creating `.dev.vars`, the local secrets file wrangler dev loads. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { generateAuthSecret, generateSigningJwk } from './secrets.ts';

/** Where `npm run dev` starts the OIDC server; wrangler.toml [vars] AUTH_GOOGLE_ISSUER points here. */
export const DEFAULT_OIDC_ISSUER = 'http://127.0.0.1:8790';

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

/** Creates `.dev.vars` with fresh secrets when there is none; returns its variables. */
export async function ensureDevVars(path = '.dev.vars'): Promise<{ vars: Record<string, string>; created: boolean }> {
  if (existsSync(path)) return { vars: parseDevVars(readFileSync(path, 'utf8')), created: false };
  const text = [
    '# Created by `npm run dev` with fresh local secrets. Git-ignored: never commit it.',
    '# Every variable is described in .dev.vars.example and the README.',
    `AUTH_SECRET=${generateAuthSecret()}`,
    'AUTH_GOOGLE_SECRET=local-oidc-server-accepts-any-secret',
    `SESSION_SIGNING_KEYS='${JSON.stringify([await generateSigningJwk()])}'`,
    '',
  ].join('\n');
  writeFileSync(path, text, { mode: 0o600 });
  return { vars: parseDevVars(text), created: true };
}
