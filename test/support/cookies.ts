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

/** A minimal cookie jar for one browser talking to one site. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  store(res: Response): this {
    for (const c of setCookies(res)) {
      const expired =
        c.attributes['max-age'] === '0' ||
        (typeof c.attributes.expires === 'string' && Date.parse(c.attributes.expires) <= Date.now());
      if (expired || c.value === '') this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return this;
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
