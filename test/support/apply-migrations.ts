import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { testDatabases } from './databases';

// Storage is isolated per test file; each file starts from the real migrations, in DB and in every
// session database of SESSION_DBS (the session-shards project).
for (const db of testDatabases()) await applyD1Migrations(db, env.TEST_MIGRATIONS);
