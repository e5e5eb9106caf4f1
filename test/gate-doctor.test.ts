// npm run doctor and GATES (scripts/doctor-gates.ts): each gated host needs a route to the Worker in
// production, or requests reach the app ungated.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type DoctorInput, diagnoseConfig } from '../scripts/doctor-checks';

const good: DoctorInput['vars'] = {
  AUTH_URL: 'https://api.acme.dev',
  APP_URL: 'https://app.acme.dev/',
  COOKIE_DOMAIN: 'acme.dev',
  ALLOWED_ORIGINS: 'https://app.acme.dev',
  AUTH_GOOGLE_ID: '1234-abc.apps.googleusercontent.com',
  AUTH_SECRET: 'k7Qw9zR2mX4pL8vN1cB6tY3uH5jD0fGs',
  AUTH_GOOGLE_SECRET: 'GOCSPX-secret',
  SESSION_SIGNING_KEYS: env.SESSION_SIGNING_KEYS,
  ALLOWED_EMAIL_DOMAINS: 'acme.dev',
};
const API_ROUTE = { pattern: 'api.acme.dev', custom_domain: true };

async function gateFindings(GATES: string, routes?: NonNullable<DoctorInput['deployment']>['routes']) {
  const findings = await diagnoseConfig({
    vars: { ...good, GATES },
    secretsKnown: true,
    ...(routes ? { deployment: { environment: 'production', routes, databases: [] } } : {}),
  });
  return findings.filter((f) => f.topic === 'GATES' || f.verdict === 'fail');
}

describe('npm run doctor: GATES', () => {
  it('says nothing without gates', async () => {
    expect(await gateFindings('', [API_ROUTE])).toEqual([]);
  });

  it('a gated host with its zone route: ok', async () => {
    const gates = JSON.stringify({ 'https://wiki.acme.dev': { roles: ['staff'] } });
    expect(await gateFindings(gates, [API_ROUTE, { pattern: 'wiki.acme.dev/*', zone_name: 'acme.dev' }])).toEqual([
      {
        verdict: 'ok',
        topic: 'GATES',
        message: 'https://wiki.acme.dev is gated (users with staff) on its route, forwarded to the route’s own origin',
      },
    ]);
  });

  it('a gated host without a route: fail, with the route to add', async () => {
    const findings = await gateFindings(JSON.stringify({ 'https://wiki.acme.dev': {} }), [API_ROUTE]);
    expect(findings).toEqual([
      {
        verdict: 'fail',
        topic: 'GATES',
        message: 'no route sends wiki.acme.dev to this Worker: requests would reach the app ungated',
        fix: 'Add to the environment\'s routes: { pattern = "wiki.acme.dev/*", zone_name = "acme.dev" } (its DNS record proxied)',
      },
    ]);
  });

  it('a custom domain for a gated host needs an origin to forward to', async () => {
    const routes = [API_ROUTE, { pattern: 'wiki.acme.dev', custom_domain: true }];
    const [bare] = await gateFindings(JSON.stringify({ 'https://wiki.acme.dev': {} }), routes);
    expect(bare).toMatchObject({ verdict: 'fail', message: expect.stringContaining('no origin behind it') });
    const withOrigin = await gateFindings(
      JSON.stringify({ 'https://wiki.acme.dev': { origin: 'https://wiki-origin.acme.net' } }),
      routes,
    );
    expect(withOrigin.map((f) => f.verdict)).toEqual(['ok']);
  });

  it('an entry the Worker would refuse: fail with its message (and the Worker config line too)', async () => {
    const findings = await gateFindings(JSON.stringify({ 'https://wiki.other.dev': {} }), [API_ROUTE]);
    expect(findings.map((f) => [f.topic, f.verdict])).toEqual([
      ['GATES', 'fail'],
      ['Worker config', 'fail'],
    ]);
    expect(findings[0]?.message).toContain("outside COOKIE_DOMAIN 'acme.dev'");
  });
});
