import { describe, expect, it } from 'vitest';
import readme from '../README.md?raw';
import {
  anchorsOf,
  blankFences,
  checkFileMentions,
  checkMentions,
  checkPage,
  checkShape,
  githubSlug,
  linksOf,
  README_MAX_LINES,
  type Repository,
} from '../scripts/markdown-links';

// The rules of `npm run lint:links` (scripts/check-links.ts), on small repositories built here.
function repository(pages: Record<string, string>, others: string[] = []): Repository {
  return {
    files: new Set([...Object.keys(pages), ...others]),
    page: (path) => pages[path],
  };
}

const api = `# The HTTP API

For whoever calls it.

## Routes

## Session databases (\`SESSION_DBS\`)

## Renew a session: \`POST /auth/refresh\`

## Routes

\`\`\`md
## Not a heading
\`\`\`
`;

describe('githubSlug: the anchors GitHub gives headings', () => {
  it.each([
    ['Session databases (`SESSION_DBS`)', 'session-databases-session_dbs'],
    ['`npm run admin`: users, roles, sessions, invitations', 'npm-run-admin-users-roles-sessions-invitations'],
    [
      '`GET /auth/diagnose`: why is this browser (not) signed in?',
      'get-authdiagnose-why-is-this-browser-not-signed-in',
    ],
    ["8. The revocation feed's limit", '8-the-revocation-feeds-limit'],
    ['`APP_ACCESS`: which app needs which role', 'app_access-which-app-needs-which-role'],
    ['As in production: `npm run dev:https`', 'as-in-production-npm-run-devhttps'],
    ['Sign in on [the kit](x.md) — **now**', 'sign-in-on-the-kit--now'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('a repeated heading gets -1; a heading inside a code block is none', () => {
    const anchors = anchorsOf(api);
    expect(anchors).toContain('routes');
    expect(anchors).toContain('routes-1');
    expect(anchors).toContain('session-databases-session_dbs');
    expect(anchors).not.toContain('not-a-heading');
  });
});

describe('checkPage: relative links and anchors', () => {
  const repo = repository({ 'docs/api.md': api, 'README.md': '# Sitewide\n' }, ['LICENSE', 'examples/hono/index.js']);
  const problems = (text: string, file = 'docs/guide.md') => checkPage(repo, file, text).map((p) => p.message);

  it('a link to a page and a heading that exist holds, from any folder', () => {
    expect(problems('[x](api.md#session-databases-session_dbs) [y](../LICENSE) [z](#routes)', 'docs/api.md')).toEqual(
      [],
    );
    expect(problems('[r](docs/api.md#renew-a-session-post-authrefresh) [e](examples/hono)', 'README.md')).toEqual([]);
  });

  it('a missing heading, a missing page and a wrong case are each reported, with their line', () => {
    const found = checkPage(
      repo,
      'README.md',
      '# Sitewide\n\n[a](docs/api.md#routez)\n[b](docs/API.md)\n[c](docs/gone.md)\n',
    );
    expect(found).toEqual([
      {
        file: 'README.md',
        line: 3,
        message: 'link docs/api.md#routez: docs/api.md has no heading with the anchor #routez',
      },
      { file: 'README.md', line: 4, message: 'link docs/API.md: no file docs/API.md' },
      { file: 'README.md', line: 5, message: 'link docs/gone.md: no file docs/gone.md' },
    ]);
  });

  it('an anchor of the page itself must exist too', () => {
    expect(problems('[see](#nowhere)', 'docs/api.md')).toEqual([
      'link #nowhere: docs/api.md has no heading with the anchor #nowhere',
    ]);
  });

  it('external links are not followed (offline), and links inside code are not links', () => {
    expect(
      problems('[h](https://example.com/x.md#y) [m](mailto:a@b.c) `[c](gone.md)`\n```\n[d](gone.md)\n```'),
    ).toEqual([]);
  });

  it('reference definitions and HTML links count', () => {
    expect(linksOf('[x]: gone.md\n<a href="also-gone.md">x</a>').map((l) => l.target)).toEqual([
      'gone.md',
      'also-gone.md',
    ]);
    expect(problems('[x]: ../gone.md')).toEqual(['link ../gone.md: no file gone.md']);
  });

  it('a link out of the repository is refused', () => {
    expect(problems('[x](../../outside.md)')).toEqual(['link ../../outside.md: outside the repository']);
  });
});

describe('checkMentions: pages named in code', () => {
  const repo = repository({ 'docs/api.md': api, 'README.md': '# Sitewide\n\n## Deploy in five steps\n' });

  it('a page, its anchor and a quoted heading must exist', () => {
    const code = [
      '// see docs/api.md, "Routes" and docs/api.md#session-databases-session_dbs', // holds
      "throw new Error('see docs/ACCOUNTS.md');", // renamed away
      '// README "Deploy to your domain"', // a heading that is gone
      '// README "Deploy in five steps", the README, README.md', // hold
      '// docs/api.md#gone',
    ].join('\n');
    expect(checkMentions(repo, 'src/x.ts', code)).toEqual([
      { file: 'src/x.ts', line: 2, message: 'mentions docs/ACCOUNTS.md: no file docs/ACCOUNTS.md' },
      { file: 'src/x.ts', line: 3, message: 'mentions "Deploy to your domain": no such heading in README.md' },
      {
        file: 'src/x.ts',
        line: 5,
        message: 'mentions docs/api.md#gone: docs/api.md has no heading with the anchor #gone',
      },
    ]);
  });
});

describe('checkFileMentions: source files named in pages and comments', () => {
  const repo = repository({}, ['src/config/config.ts', 'examples/hono-sibling/src/server.js']);

  it('a moved file is caught; build output, code examples and a folder-relative name are not', () => {
    const page = [
      'Parsed in `src/config/config.ts`.', // holds
      'See src/config.ts for the rules.', // moved away
      'The demo serves packages/verify/dist/browser.js.', // build output
      '```ts',
      '// src/routes/notes.ts', // a code example's own file
      '```',
    ].join('\n');
    expect(checkFileMentions(repo, 'docs/x.md', blankFences(page))).toEqual([
      { file: 'docs/x.md', line: 2, message: 'names src/config.ts: no such file' },
    ]);
    expect(checkFileMentions(repo, 'examples/hono-sibling/src/app.js', '// run src/server.js')).toEqual([]);
  });
});

describe('checkShape', () => {
  it(`the README has at most ${README_MAX_LINES} lines`, () => {
    expect(checkShape('README.md', readme)).toEqual([]);
    expect(checkShape('README.md', 'line\n'.repeat(README_MAX_LINES + 1))).toEqual([
      {
        file: 'README.md',
        line: README_MAX_LINES + 1,
        message: `README has ${README_MAX_LINES + 1} lines, over ${README_MAX_LINES}: move reference to docs/`,
      },
    ]);
  });

  it('a docs page says first who it is for', () => {
    expect(checkShape('docs/api.md', api)).toEqual([]);
    expect(checkShape('docs/x.md', '# X\n\nSitewide does things.\n')).toHaveLength(1);
  });
});
