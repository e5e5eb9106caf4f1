import { type Config, ConfigError, loadConfig } from '../config';
import type { Gate } from './settings';

/** A request to a gated host: the gate to run, with the config it belongs to. */
export interface GatedRequest {
  config: Config;
  gate: Gate;
}

/**
 * The gate of the request's origin, or undefined (the API serves it). One
 * WeakMap lookup (the isolate's parsed config) and, when GATES is set, one Map
 * lookup on the origin cut from `request.url` (already normalised: lower-case
 * host, default port dropped), as routes deliver it (`wiki.example.com/*`) and
 * as `wrangler dev` does (the `Host` the client sent). A misconfiguration is
 * left to the API app, which answers it `500 misconfigured`: a gated host
 * never reaches its origin then.
 */
export function gateFor(request: Request, env: Env): GatedRequest | undefined {
  const config = loadConfig(env);
  if (config instanceof ConfigError || config.gates.size === 0) return undefined;
  const url = request.url;
  const gate = config.gates.get(url.slice(0, url.indexOf('/', url.indexOf('//') + 2)));
  return gate === undefined ? undefined : { config, gate };
}
