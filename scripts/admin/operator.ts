/** Who runs `npm run admin`, for the audit trail, when `--by` does not say. */
import { spawnSync } from 'node:child_process';
import { type Actor, parseActor } from './values.ts';

/** `git config user.email`, else `$USER`; null when neither is set or fits the pattern of an Actor. */
export function defaultOperator(env: NodeJS.ProcessEnv = process.env): Actor | null {
  const git = spawnSync('git', ['config', 'user.email'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const candidates = [git.status === 0 ? git.stdout.trim() : '', env.USER ?? '', env.USERNAME ?? ''];
  for (const candidate of candidates) {
    const actor = candidate ? parseActor(candidate) : null;
    if (actor) return actor;
  }
  return null;
}
