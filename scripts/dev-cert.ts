/** A self-signed certificate for the local test domain (example.test, its subdomains, evil.test). */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const TEST_DOMAIN = 'example.test';

export function ensureDevCert(dir: string): { keyPath: string; certPath: string } {
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  if (existsSync(keyPath) && existsSync(certPath)) return { keyPath, certPath };
  mkdirSync(dir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '30',
      '-subj',
      `/CN=${TEST_DOMAIN}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-addext',
      `subjectAltName=DNS:${TEST_DOMAIN},DNS:*.${TEST_DOMAIN},DNS:evil.test`,
    ],
    { stdio: 'ignore' },
  );
  return { keyPath, certPath };
}
