// Reads one of Sitewide's HTML pages and checks what every page shares (src/pages/): headers, CSP, the template.
import { expect } from 'vitest';

export interface PageParts {
  html: string;
  title: string;
  /** The site line above the heading (SITE_NAME, else the API host). */
  site: string;
  h1: string;
  /** Every href and form action in the page, HTML-unescaped. */
  hrefs: string[];
  actions: string[];
  /** Hidden form fields, name → value. */
  hidden: Record<string, string>;
  /** The Google button's href, when the page has one. */
  googleHref: string | undefined;
  csp: string;
}

export const unescapeHtml = (text: string) =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

const all = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((m) => unescapeHtml(m[1] ?? ''));
const one = (html: string, pattern: RegExp) => {
  const found = all(html, pattern);
  expect(found, `exactly one match of ${pattern}`).toHaveLength(1);
  return found[0] as string;
};

async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...digest));
}

/** The four paths of Google's G, each at its brand colour (src/pages/google-button.ts). */
const G_COLOURS = ['#EA4335', '#4285F4', '#FBBC05', '#34A853'];

/**
 * Checks a response is one of our pages: status, `text/html`, the strict CSP
 * (style only by the hash of the page's one `<style>`, `frame-ancestors
 * 'none'`, the given form-action), no script, nothing loaded (every `src`
 * absent, every `<link>` a `data:` URL), `lang="en"`, and reads its parts.
 */
export async function readPage(res: Response, status: number, formAction = "'none'"): Promise<PageParts> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('cache-control')).toBe('no-store');
  const html = await res.text();
  expect(html.startsWith('<!doctype html>\n<html lang="en">\n')).toBe(true);
  expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');

  const style = one(html, /<style>([^<]*)<\/style>/g);
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toBe(
    `default-src 'none'; style-src 'sha256-${await sha256Base64(style)}'; img-src data:; base-uri 'none'; form-action ${formAction}; frame-ancestors 'none'`,
  );
  // Nothing runs and nothing loads: no script, frame, image or object; no src; no inline style the hash would refuse.
  expect(html).not.toMatch(/<(script|iframe|frame|img|object|embed|video|audio|base)\b/i);
  for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) expect(tag).not.toMatch(/\s(src|srcset|style|on[a-z]+)=/i);
  expect(style).not.toMatch(/url\(|@import/i);
  for (const link of all(html, /<link\b[^>]*\bhref="([^"]*)"/g)) expect(link.startsWith('data:')).toBe(true);

  const gsi = /<a class="gsi" href="([^"]*)"><svg class="g" viewBox="0 0 48 48" aria-hidden="true"/.exec(html);
  if (gsi) for (const colour of G_COLOURS) expect(html).toContain(`<path fill="${colour}" d="M`);

  const hidden: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    hidden[unescapeHtml(m[1] ?? '')] = unescapeHtml(m[2] ?? '');
  }
  return {
    html,
    title: one(html, /<title>([^<]*)<\/title>/g),
    site: one(html, /<p class="site">([^<]*)<\/p>/g),
    h1: one(html, /<h1>([^<]*)<\/h1>/g),
    hrefs: all(html, /<a\b[^>]*\shref="([^"]*)"/g),
    actions: all(html, /<form\b[^>]*\saction="([^"]*)"/g),
    hidden,
    googleHref: gsi ? unescapeHtml(gsi[1] ?? '') : undefined,
    csp,
  };
}

/**
 * Every link and form target of a page stays on `origin` (relative, or absolute
 * on it), except the ones listed: the links that are the point of the page.
 */
export function expectTargetsOn(page: PageParts, origin: string, except: readonly string[] = []): void {
  for (const target of [...page.hrefs, ...page.actions]) {
    if (except.includes(target)) continue;
    expect(new URL(target, origin).origin, `${target} leaves ${origin}`).toBe(origin);
  }
}
