import { createApp } from './app';
import { runScheduled } from './workspace/scheduled';

const app = createApp();

export default {
  fetch: app.fetch,
  /** The Cron Trigger (wrangler.toml [triggers]): the Workspace link's sync, see src/workspace/sync.ts. */
  scheduled: async (controller, env, ctx) => {
    await runScheduled(controller, env, ctx);
  },
} satisfies ExportedHandler<Env>;

/** The revocation feed (`REVOCATION_FEED`): see src/revocation/feed.ts. */
export { RevocationFeed } from './revocation/feed';
/** The service binding for sibling Workers (`entrypoint = "SitewideRpc"`): see src/rpc.ts. */
export { SitewideRpc } from './rpc';
