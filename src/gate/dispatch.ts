import { type Config, ConfigError, loadConfig } from '../config/config';
import type { Gate } from './settings';

/**
 * The parts of a gated request's URL the gate uses, cut from `request.url` (normalised, and its origin is
 * the gate's: no URL parse per request). `path` is the serialised path, as URL's `pathname`.
 */
export interface RequestTarget {
  href: string;
  host: string;
  path: string;
  pathAndQuery: string;
}

export function targetOf(href: string, gate: Gate): RequestTarget {
  const pathAndQuery = href.slice(gate.origin.length);
  const query = pathAndQuery.indexOf('?');
  return { href, host: gate.host, path: query === -1 ? pathAndQuery : pathAndQuery.slice(0, query), pathAndQuery };
}

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
 * left to the API app, which answers it `500 misconfigured` (and any other
 * failure to parse, `500 internal_error`): a gated host never reaches its origin then.
 */
export function gateFor(request: Request, env: Env): GatedRequest | undefined {
  let config: Config | ConfigError;
  try {
    config = loadConfig(env);
  } catch {
    // A bug while parsing (not a ConfigError): the API app meets it again and answers 500 internal_error in JSON.
    return undefined;
  }
  if (config instanceof ConfigError || config.gates.size === 0) return undefined;
  const url = request.url;
  const gate = config.gates.get(url.slice(0, url.indexOf('/', url.indexOf('//') + 2)));
  return gate === undefined ? undefined : { config, gate };
}
