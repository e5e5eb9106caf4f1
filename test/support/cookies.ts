/** A parsed Set-Cookie header, attribute names lower-cased. */
export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

export function parseSetCookie(header: string): SetCookie {
  const [pair = '', ...attrs] = header.split(';');
  const eq = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const attr of attrs) {
    const [k = '', ...v] = attr.trim().split('=');
    attributes[k.toLowerCase()] = v.length ? v.join('=') : true;
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes };
}

export function setCookies(res: Response): SetCookie[] {
  return res.headers.getSetCookie().map(parseSetCookie);
}

/**
 * A minimal cookie jar for one browser talking to the API host. Like a browser,
 * it keeps a host-only cookie and a Domain cookie of the same name apart
 * (RFC 6265 §5.3: a cookie is identified by name, domain and path).
 */
export class CookieJar {
  readonly entries = new Map<string, { name: string; value: string }>();

  store(res: Response): this {
    for (const c of setCookies(res)) {
      const key = `${c.name}|${typeof c.attributes.domain === 'string' ? c.attributes.domain.toLowerCase() : 'host-only'}`;
      const expired =
        c.attributes['max-age'] === '0' ||
        (typeof c.attributes.expires === 'string' && Date.parse(c.attributes.expires) <= Date.now());
      if (expired || c.value === '') this.entries.delete(key);
      else this.entries.set(key, { name: c.name, value: c.value });
    }
    return this;
  }

  /** Value of the (single) cookie of that name, whatever its domain. */
  get(name: string): string | undefined {
    return [...this.entries.values()].find((e) => e.name === name)?.value;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  header(): string {
    return [...this.entries.values()].map((e) => `${e.name}=${e.value}`).join('; ');
  }
}
