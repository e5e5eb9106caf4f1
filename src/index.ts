import { createApp } from './app';
import { gateFor } from './gate/dispatch';
import { createGate } from './gate/gate';
import { runScheduled } from './workspace/scheduled';

const app = createApp();
const serveGated = createGate();

export default {
  /** A gated host's request (GATES: src/gate) goes to the gate; everything else to the API. */
  fetch: (request, env, ctx) => {
    const gated = gateFor(request, env);
    return gated ? serveGated(request, env, ctx, gated) : app.fetch(request, env, ctx);
  },
  /** The Cron Trigger (wrangler.toml [triggers]): the Workspace link's sync, see src/workspace/sync.ts. */
  scheduled: async (controller, env, ctx) => {
    await runScheduled(controller, env, ctx);
  },
} satisfies ExportedHandler<Env>;

/** The revocation feed (`REVOCATION_FEED`): see src/revocation/feed.ts. */
export { RevocationFeed } from './revocation/feed';
/** The service binding for sibling Workers (`entrypoint = "SitewideRpc"`): see src/rpc.ts. */
export { SitewideRpc } from './rpc';
