/**
 * `npm run lint`'s link checker, offline: every relative link and #anchor of every Markdown page of
 * the repository (README.md, docs/, packages/verify/, bench/, examples/) must reach a file and a
 * heading; every `docs/….md` named in code, comments and messages must exist; the README stays
 * under 200 lines and every docs page says first who it is for (scripts/markdown-links.ts).
 * Links with a scheme (https:, mailto:) are not followed: no network.
 *
 *   node scripts/check-links.ts      exit 0 when everything holds, else 1 with one line per problem
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  blankFences,
  checkFileMentions,
  checkMentions,
  checkPage,
  checkShape,
  type LinkProblem,
  type Repository,
} from './markdown-links.ts';

const root = join(import.meta.dirname, '..');

// The repository as it will be committed: tracked files and new ones git does not ignore.
const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\0')
  .filter((name) => name !== '');
const files = new Set(listed.filter((name) => !name.startsWith('node_modules/')));

const texts = new Map<string, string>();
function read(path: string): string | undefined {
  if (!files.has(path)) return undefined;
  if (!texts.has(path)) {
    try {
      texts.set(path, readFileSync(join(root, path), 'utf8'));
    } catch {
      return undefined; // listed by git but deleted in the work tree: a link to it is broken
    }
  }
  return texts.get(path);
}
const repo: Repository = {
  files: new Set([...files].filter((path) => read(path) !== undefined)),
  page: (path) => (path.endsWith('.md') ? read(path) : undefined),
};

// Where pages are named outside Markdown: source, config, scripts, SQL, the CI script.
const CODE = /\.(?:[cm]?[jt]sx?|toml|json|ya?ml|sql|sh)$|^\.dev\.vars\.example$|^\.ci\/run$/;
// Generated files, and the checker's own rules and tests (their examples name pages on purpose).
const SKIP = new Set([
  'package-lock.json',
  'worker-configuration.d.ts',
  'scripts/markdown-links.ts',
  'test/markdown-links.test.ts',
  // The recipe's test names the recipe's own file (not in the repository); bench/results.json is a run's record.
  'test/protected-route-recipe.test.ts',
  'bench/results.json',
]);

const problems: LinkProblem[] = [];
const pages = [...repo.files].filter((path) => path.endsWith('.md')).sort();
for (const page of pages) {
  const text = read(page) ?? '';
  // Paths named in prose are checked too; a link's own target only once, as a link.
  const prose = text.replace(/\]\([^)]*\)/g, (target) => target.replace(/[^\n]/g, ' '));
  problems.push(...checkShape(page, text), ...checkPage(repo, page, text), ...checkMentions(repo, page, prose));
  problems.push(...checkFileMentions(repo, page, blankFences(prose)));
}
let scanned = 0;
for (const path of [...repo.files].sort()) {
  if (!CODE.test(path) || SKIP.has(path) || path.startsWith('migrations/meta/')) continue;
  scanned++;
  problems.push(...checkMentions(repo, path, read(path) ?? ''), ...checkFileMentions(repo, path, read(path) ?? ''));
}

for (const { file, line, message } of problems) console.error(`${file}:${line}: ${message}`);
if (problems.length > 0) {
  console.error(`check-links: ${problems.length} problem(s) in ${pages.length} pages and ${scanned} code files`);
  process.exit(1);
}
console.log(`check-links: ${pages.length} pages and ${scanned} code files, every link and anchor holds`);
