/**
 * The rules of `npm run lint`'s link checker (scripts/check-links.ts), as pure functions over text:
 * every relative link and #anchor of a Markdown page must name a file of the repository and a
 * heading of that page, and every `docs/….md` named in code must exist. Offline: links with a
 * scheme (https:, mailto:) are not followed.
 */

/** One problem, located: `file:line: message`. */
export interface LinkProblem {
  file: string;
  line: number;
  message: string;
}

/** What the checker knows about the repository: its files (POSIX paths from the root) and the Markdown text of its pages. */
export interface Repository {
  files: ReadonlySet<string>;
  /** A page's text, for its anchors; undefined when the path is not a Markdown page. */
  page(path: string): string | undefined;
}

/** The README stays the front door: what it is, the picture, quick start, deploy, links. */
export const README_MAX_LINES = 200;

/**
 * GitHub's anchor for a heading: the rendered text, lower-cased, with every character that is not a
 * letter, mark, number, connector (`_`), space or hyphen removed, and spaces turned into hyphens.
 * `## Session databases (\`SESSION_DBS\`)` → `session-databases-session_dbs`.
 */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's or image's text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '')
    .replace(/\*/g, '');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const blank = (text: string) => text.replace(/[^\n]/g, ' ');

/** Replaces fenced code blocks with spaces (line breaks kept): no heading or link is read inside. */
export function blankFences(markdown: string): string {
  const lines = markdown.split('\n');
  let fence: string | undefined;
  const out = lines.map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return blank(line);
    }
    if (marker) {
      fence = marker;
      return blank(line);
    }
    return line;
  });
  return out.join('\n');
}

/** Also blanks inline code spans, so a link written as code (`[x](y)`) is not read as one. */
export function blankCode(markdown: string): string {
  // A code span may wrap onto the next line, but never across a blank line.
  return blankFences(markdown).replace(/(`+)((?:(?!\n[ \t]*\n)[\s\S])*?)\1(?!`)/g, (span) => blank(span));
}

/** Every anchor a page offers: its headings' slugs (a repeated slug gets -1, -2, …) and `<a id|name="…">`. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of blankFences(markdown).split('\n')) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) anchors.add(match[1] as string);
  }
  return anchors;
}

/** A link of a page: its target as written, and the line it is on (1-based). */
export interface PageLink {
  target: string;
  line: number;
}

/** The links of a page: inline links and images, reference definitions, and HTML `href`/`src`; none inside code. */
export function linksOf(markdown: string): PageLink[] {
  const text = blankCode(markdown);
  const lineAt = (index: number) => text.slice(0, index).split('\n').length;
  const links: PageLink[] = [];
  const patterns = [
    /!?\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*(<[^>\n]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
    /^ {0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)/gm,
    /<(?:a|img)\s[^>]*\b(?:href|src)="([^"]+)"/g,
  ];
  for (const pattern of patterns) {
    for (const match of text.matchAll(pattern)) {
      const target = (match[1] as string).replace(/^<(.*)>$/, '$1');
      links.push({ target, line: lineAt(match.index) });
    }
  }
  return links.sort((a, b) => a.line - b.line);
}

/** Joins a relative link onto the directory of the page that holds it; null when it climbs out of the repository. */
export function resolvePath(fromFile: string, relative: string): string | null {
  const parts = relative.startsWith('/') ? [] : fromFile.split('/').slice(0, -1);
  for (const part of relative.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

const directories = new WeakMap<ReadonlySet<string>, Set<string>>();

/** Every folder that holds a file of the repository (a link may name a folder: GitHub lists it). */
function directoriesOf(files: ReadonlySet<string>): Set<string> {
  let found = directories.get(files);
  if (!found) {
    found = new Set();
    for (const file of files) {
      const parts = file.split('/');
      for (let i = 1; i < parts.length; i++) found.add(parts.slice(0, i).join('/'));
    }
    directories.set(files, found);
  }
  return found;
}

const EXTERNAL = /^(?:[a-z][a-z\d+.-]*:|\/\/)/i;

/** Checks one link of `file`; undefined when it holds. */
export function checkLink(repo: Repository, file: string, target: string): string | undefined {
  if (EXTERNAL.test(target)) return undefined;
  const hash = target.indexOf('#');
  const rawPath = hash === -1 ? target : target.slice(0, hash);
  const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
  const path = rawPath === '' ? file : resolvePath(file, decodeURIComponent(rawPath.replace(/\?.*$/, '')));
  if (path === null || path === '') return `link ${target}: outside the repository`;
  if (!repo.files.has(path) && !directoriesOf(repo.files).has(path.replace(/\/$/, '')))
    return `link ${target}: no file ${path}`;
  if (anchor === undefined || anchor === '') return undefined;
  const page = repo.page(path);
  if (page === undefined) return undefined; // an anchor into code (#L10) or a folder: not ours to check
  if (!anchorsOf(page).has(anchor)) return `link ${target}: ${path} has no heading with the anchor #${anchor}`;
  return undefined;
}

/** Every broken link of one Markdown page. */
export function checkPage(repo: Repository, file: string, markdown: string): LinkProblem[] {
  const problems: LinkProblem[] = [];
  for (const { target, line } of linksOf(markdown)) {
    const message = checkLink(repo, file, target);
    if (message) problems.push({ file, line, message });
  }
  return problems;
}

const MENTION =
  /(?<![\w/.-])((?:docs|bench|packages|examples)\/[\w./-]*?\.md|README(?:\.md)?)(#[\p{L}\p{N}_-]+)?(?:,? "([^"]+)")?/gu;

/**
 * Pages named in code, comments and messages (`see docs/workspace.md, "Set up"`): each `docs/…`,
 * `bench/…`, `packages/…` or `examples/….md` must exist, with its `#anchor`, and a quoted heading
 * right after it (`docs/x.md "Heading"`, `docs/x.md, "Heading"`, `README "Heading"`) must be one of
 * its headings.
 */
export function checkMentions(repo: Repository, file: string, text: string): LinkProblem[] {
  const problems: LinkProblem[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    for (const match of line.matchAll(MENTION)) {
      const [, named, anchor, heading] = match as unknown as [string, string, string?, string?];
      if (named === 'README' && !anchor && !heading) continue; // the word, not a reference
      const path = named === 'README' ? 'README.md' : named;
      let message = checkLink(repo, '', `${path}${anchor ?? ''}`);
      const page = repo.page(path);
      if (!message && heading && page !== undefined && !anchorsOf(page).has(githubSlug(heading)))
        message = `"${heading}": no such heading in ${path}`;
      if (message) problems.push({ file, line: index + 1, message: `mentions ${message.replace(/^link /, '')}` });
    }
  });
  return problems;
}

const FILE_MENTION =
  /(?<![\w/.@-])((?:src|scripts|test|bench|packages|examples|migrations)\/[\w./-]*?\.(?:[cm]?[jt]sx?|toml|json|sql))(?![\w/-])/g;

/** `path` from the repository's root, or from a folder above `file` (an example's `src/server.js`). */
function existsNear(repo: Repository, file: string, path: string): boolean {
  if (repo.files.has(path)) return true;
  const folders = file.split('/').slice(0, -1);
  for (let n = folders.length; n > 0; n--) if (repo.files.has(`${folders.slice(0, n).join('/')}/${path}`)) return true;
  return false;
}

/**
 * Source files named in prose and comments (`src/session/token.ts`): each must exist, so a page or a
 * comment cannot go on naming a file that moved. Code examples are passed in blanked (blankFences);
 * build output (`dist/`) is not in the repository, and a name written as `// src/x.ts` at the head of
 * a code example is the example's own.
 */
export function checkFileMentions(repo: Repository, file: string, text: string): LinkProblem[] {
  const problems: LinkProblem[] = [];
  text.split('\n').forEach((line, index) => {
    for (const [, path] of line.matchAll(FILE_MENTION) as Iterable<[string, string]>) {
      if (path.includes('/dist/') || existsNear(repo, file, path)) continue;
      problems.push({ file, line: index + 1, message: `names ${path}: no such file` });
    }
  });
  return problems;
}

/** The README's length, and the first paragraph of every docs page saying who it is for. */
export function checkShape(file: string, markdown: string): LinkProblem[] {
  if (file === 'README.md') {
    const lines = markdown.replace(/\n$/, '').split('\n').length;
    return lines > README_MAX_LINES
      ? [
          {
            file,
            line: README_MAX_LINES + 1,
            message: `README has ${lines} lines, over ${README_MAX_LINES}: move reference to docs/`,
          },
        ]
      : [];
  }
  if (/^docs\/[^/]+\.md$/.test(file)) {
    const lines = markdown.split('\n');
    const first = lines.findIndex((line, i) => i > 0 && line.trim() !== '');
    if (!lines[0]?.startsWith('# ') || !/^For /.test(lines[first] ?? ''))
      return [
        { file, line: first + 1, message: 'a docs page starts with its title, then one sentence "For whoever …"' },
      ];
  }
  return [];
}
