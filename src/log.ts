/**
 * Structured logs: one JSON object per line, which Workers Logs indexes by
 * field. Callers pass fields, never token or cookie values.
 */
export type LogLevel = 'info' | 'warn' | 'error';

export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

/** A cause for the log: its name and message (and stack for bugs), never the raw object. */
export function describeCause(cause: unknown, withStack = false): Record<string, unknown> | string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `; caused by ${cause.cause.name}: ${cause.cause.message}` : '';
    return {
      name: cause.name,
      message: `${cause.message}${inner}`,
      ...(withStack && cause.stack ? { stack: cause.stack } : {}),
    };
  }
  return String(cause);
}
