import { createApp } from './app';

export default createApp() satisfies ExportedHandler<Env>;

/** The revocation feed (`REVOCATION_FEED`): see src/revocation/feed.ts. */
export { RevocationFeed } from './revocation/feed';
/** The service binding for sibling Workers (`entrypoint = "SitewideRpc"`): see src/rpc.ts. */
export { SitewideRpc } from './rpc';
