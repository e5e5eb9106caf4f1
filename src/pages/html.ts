/** Markup that is already safe: made by `html` below, never by hand from outside text. */
export interface Html {
  readonly html: string;
}

/** Text for HTML, in content or a quoted attribute: nothing a query string or SITE_NAME carries can become markup. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

type Part = string | Html | readonly Html[] | false | undefined;

/**
 * A template tag that escapes every interpolated string and inserts `Html`
 * (and lists of it) as it is, so a page cannot forget to escape a value.
 *
 * @example html`<p>${message}</p>${signedIn && html`<form>…</form>`}`
 */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    out += partHtml(part) + (strings[i + 1] ?? '');
  });
  return { html: out };
}

function partHtml(part: Part): string {
  if (part === false || part === undefined) return '';
  if (typeof part === 'string') return escapeHtml(part);
  if (Array.isArray(part)) return part.map((p) => p.html).join('');
  return (part as Html).html;
}

/** Markup written in this source tree (an inline SVG): trusted as it is. */
export const trusted = (markup: string): Html => ({ html: markup });
