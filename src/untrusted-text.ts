/**
 * Text that came from a client (a path, a query value, a header, a cookie
 * name, a token's header) on its way into a log line, an error message or a
 * diagnose report: never raw control characters, never unbounded.
 *
 * Escaped JSON-style (`\u001b`), as six visible characters in the value
 * itself, so whoever reads it (a terminal, a log viewer, a sibling's kit
 * printing a hint) sees them and is not driven by them: C0 controls (ESC
 * starts terminal sequences, CR/LF forge log lines), DEL, C1 controls (U+009B
 * is an 8-bit CSI), the line and paragraph separators, and the bidi
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: text that
 * reads differently from what it is).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escapeChar = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * At most `max` UTF-16 units, then `…`. A surrogate pair cut in half leaves a
 * lone surrogate, which JSON.stringify (the log line, every JSON answer)
 * writes as an escape.
 */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * `text` cut to `max` characters, its unsafe characters escaped.
 *
 * @example escapeControls('/a\u001b[2J') === '/a\\u001b[2J'
 */
export function escapeControls(text: string, max = 1000): string {
  return cut(text, max).replace(UNSAFE, escapeChar);
}

/**
 * A client's value for a message: JSON-quoted, cut to `max` characters, its
 * unsafe characters escaped.
 *
 * @example `No sign-in provider ${quoteInput(provider, 40)}` // No sign-in provider "x\u001b[2J"
 */
export function quoteInput(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  // JSON.stringify quotes and escapes C0, `"` and `\`; the rest of UNSAFE is escaped after it.
  return JSON.stringify(cut(text, max)).replace(UNSAFE, escapeChar);
}

/**
 * Every string inside `value` (nested objects and arrays, to a depth) through
 * escapeControls: a log record whose every value is safe to print (its keys
 * are the code's own).
 */
export function escapeControlsDeep(value: unknown, max = 1000, depth = 4): unknown {
  if (typeof value === 'string') return escapeControls(value, max);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  // A Date, URL, Map…: as JSON.stringify would write it (toJSON), its text escaped; never an empty object.
  if (
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) !== Object.prototype &&
    Object.getPrototypeOf(value) !== null
  ) {
    const json = (value as { toJSON?: () => unknown }).toJSON?.();
    return escapeControlsDeep(json === undefined ? String(value) : json, max, depth - 1);
  }
  const entries = Object.entries(value).map(([k, v]) => [k, escapeControlsDeep(v, max, depth - 1)] as const);
  return Array.isArray(value) ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}
