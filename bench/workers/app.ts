/**
 * Everything the bench Workers (and the scale study's Worker) take from the product, in one place:
 * a restructure of src/ changes this file only. The bench measures these unchanged.
 */
export { createApp } from '../../src/app';
export { type Config, ConfigError, loadConfig } from '../../src/config/config';
export { dbFor } from '../../src/db/client';
export { gateFor } from '../../src/gate/dispatch';
export { createGate, type Upstream } from '../../src/gate/gate';
export { FEED_PAGE, RevocationFeed } from '../../src/revocation/feed';
export { type FeedNamespace, feedOf, readFeed, retentionOf, snapshotOf } from '../../src/revocation/snapshot';
export { loadSigningKeys, type SigningKeys } from '../../src/session/keys';
export { ACCESS_TOKEN_TYP, signSessionToken, signToken, verifySessionToken } from '../../src/session/token';
export { refreshSession, revokeSession } from '../../src/users/sessions';
export { recordSignIn } from '../../src/users/sign-in/record-sign-in';
