/**
 * A throwaway copy of the project for tests that run its scripts the way a developer does
 * (`node scripts/dev.ts`, vitest, wrangler dev) with files of their own beside wrangler.toml: a
 * `.dev.vars`, `.wrangler/` state, `.certs/`. The developer's own files are never read or touched.
 * The source tree is copied (a few MB: no node_modules, .git, .wrangler, dist, .dev.vars*, .env*);
 * node_modules is a symlink to the project's.
 *
 * Processes started for a test carry a marker in their environment (`markedEnv`), so the test can
 * find every one still alive afterwards by its marker, orphans included (`processesMarked`).
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
const SKIPPED_AT_TOP = new Set(['node_modules', '.git', '.wrangler', 'dist', 'test-results', 'coverage', '.certs']);

export interface ProjectCopy {
  dir: string;
  remove(): void;
}

export function copyProject(): ProjectCopy {
  const dir = mkdtempSync(join(tmpdir(), 'sitewide-copy-'));
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (source) => {
      const rel = relative(ROOT, source);
      if (rel === '') return true;
      const name = basename(source);
      if (SKIPPED_AT_TOP.has(rel)) return false;
      if (name === 'node_modules' || name === '.next') return false;
      return !(/^\.dev\.vars/.test(name) && name !== '.dev.vars.example') && !/^\.env/.test(name);
    },
  });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const MARK = 'SITEWIDE_TEST_RUN';

/** The environment entry that marks a test's processes (inherited by their children). */
export function marker(): Record<string, string> {
  return { [MARK]: crypto.randomUUID() };
}

/** PIDs of live processes (zombies aside) whose environment carries this marker. */
export function processesMarked(mark: Record<string, string>): number[] {
  const needle = `${MARK}=${mark[MARK]}`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (/\) Z /.test(stat)) continue;
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(needle)) found.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}
