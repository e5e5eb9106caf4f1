import { createApp } from './app';

export default createApp() satisfies ExportedHandler<Env>;

/** The service binding for sibling Workers (`entrypoint = "SitewideRpc"`): see src/rpc.ts. */
export { SitewideRpc } from './rpc';
