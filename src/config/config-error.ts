/** A configuration value the Worker cannot run with; its message says what to change (answered as `500 misconfigured`). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
