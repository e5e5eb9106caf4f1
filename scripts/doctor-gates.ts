/**
 * `npm run doctor`'s checks of GATES (docs/gate.md): the entries parse as the Worker parses them,
 * and in a deployment environment each gated host has a route to this Worker. Pure, like
 * doctor-checks.ts. Nothing is said when GATES is empty.
 */
import { getDomain } from 'tldts';
import { ConfigError } from '../src/config/config-error';
import { parseGates } from '../src/gate/settings';
import type { Finding } from './doctor-findings.ts';

const TOPIC = 'GATES';

export interface GateRoute {
  pattern: string;
  custom_domain?: boolean;
  zone_name?: string;
}

export function checkGates(
  vars: { GATES?: string; AUTH_URL?: string; COOKIE_DOMAIN?: string },
  routes: readonly GateRoute[] | undefined,
): Finding[] {
  if (vars.GATES === undefined || (typeof vars.GATES === 'string' && !vars.GATES.trim())) return [];
  let api: string;
  try {
    api = new URL(vars.AUTH_URL ?? '').origin;
  } catch {
    return []; // AUTH_URL's own finding says what to fix.
  }
  const cookieDomain = (vars.COOKIE_DOMAIN ?? '').trim().toLowerCase().replace(/^\./, '');
  let gates: ReturnType<typeof parseGates>;
  try {
    gates = parseGates(vars.GATES, { apiOrigin: api, cookieDomain });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [
      { verdict: 'fail', topic: TOPIC, message: error.message, fix: 'See docs/gate.md for the form of an entry' },
    ];
  }
  const out: Finding[] = [];
  for (const gate of gates.values()) {
    const host = new URL(gate.origin).hostname;
    const who = gate.roles ? `users with ${gate.roles.join(' or ')}` : 'every signed-in user (or the APP_ACCESS entry)';
    const where = gate.upstream ?? 'the route’s own origin';
    if (!routes) {
      out.push({ verdict: 'ok', topic: TOPIC, message: `${gate.origin} is gated (${who}), forwarded to ${where}` });
      continue;
    }
    const zone = routes.find((r) => !r.custom_domain && (r.pattern === `${host}/*` || r.pattern === `${host}*`));
    const custom = routes.find((r) => r.custom_domain && r.pattern === host);
    const zoneName = getDomain(host, { allowPrivateDomains: true }) ?? host;
    if (custom && !gate.upstream) {
      out.push({
        verdict: 'fail',
        topic: TOPIC,
        message: `${host} is a custom domain of this Worker: there is no origin behind it to forward to`,
        fix: `Give the entry an "origin", or route it on its zone instead: { pattern = "${host}/*", zone_name = "${zoneName}" }`,
      });
    } else if (!zone && !custom) {
      out.push({
        verdict: 'fail',
        topic: TOPIC,
        message: `no route sends ${host} to this Worker: requests would reach the app ungated`,
        fix: `Add to the environment's routes: { pattern = "${host}/*", zone_name = "${zoneName}" } (its DNS record proxied)`,
      });
    } else {
      out.push({
        verdict: 'ok',
        topic: TOPIC,
        message: `${gate.origin} is gated (${who}) on its route, forwarded to ${where}`,
      });
    }
  }
  return out;
}
