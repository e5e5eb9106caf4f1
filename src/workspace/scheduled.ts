import { ConfigError, loadConfig } from '../config/config';
import { log } from '../log';
import { type SyncReport, syncWorkspace } from './sync';

/**
 * The Worker's `scheduled` handler (the Cron Trigger in wrangler.toml, every
 * 5 minutes): one Workspace sync when the link is configured, nothing
 * otherwise. A misconfiguration is logged (every request answers 500
 * misconfigured for it anyway); nothing here throws.
 */
export async function runScheduled(
  _controller: ScheduledController,
  env: Env,
  _ctx: ExecutionContext,
): Promise<SyncReport | undefined> {
  const config = loadConfig(env);
  if (config instanceof ConfigError) {
    log('error', 'scheduled: Sitewide is misconfigured; the Workspace sync did not run', { message: config.message });
    return undefined;
  }
  if (!config.workspace) return undefined;
  return syncWorkspace(env, config);
}
