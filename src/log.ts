import { escapeControlsDeep } from './untrusted-text';

/**
 * Structured logs: one JSON object per line, which Workers Logs indexes by
 * field. Callers pass fields, never token or cookie values. Every string in
 * them is cut to 2,000 characters and carries no control character (escaped
 * as `\u001b`: src/untrusted-text.ts), whatever a client put into it.
 */
export type LogLevel = 'info' | 'warn' | 'error';

/** The longest string a log field keeps (a stack trace fits). */
const MAX_FIELD = 2000;

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify(escapeControlsDeep({ level, msg, ...fields }, MAX_FIELD));
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/**
 * What names an error in the log: its `code` (jose: `ERR_JWT_EXPIRED`, D1,
 * Node) or Auth.js's `type` (`CallbackRouteError`) when it has one, else its
 * `name`. The production bundle is minified without keeping class names
 * (wrangler.toml `keep_names = false`), so a `name` taken from a class there
 * would read `t`; codes and types are strings the libraries set explicitly.
 */
function errorLabel(error: Error): string {
  const { code, type } = error as Error & { code?: unknown; type?: unknown };
  if (typeof code === 'string' && code) return code;
  if (typeof type === 'string' && type) return type;
  return error.name;
}

/** A cause for the log: its label and message (and stack for bugs), never the raw object. */
export function describeCause(cause: unknown, withStack = false): Record<string, unknown> | string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `; caused by ${errorLabel(cause.cause)}: ${cause.cause.message}` : '';
    return {
      name: errorLabel(cause),
      message: `${cause.message}${inner}`,
      ...(withStack && cause.stack ? { stack: cause.stack } : {}),
    };
  }
  return String(cause);
}
