/**
 * The second half of bench/scale/d1-scale.ts (docs/SCALE.md): on the database file it seeded (run
 * after it; the file is changed: revocations and slides), with Node's built-in SQLite
 * (`node:sqlite`, Node ≥ 22.13):
 *   - storage: bytes per table and index (dbstat), bytes per session row;
 *   - the SQLite engine's own time for the refresh SELECT, the slide (UPDATE + SELECT in one
 *     transaction, as D1 runs a batch) and the revocation (UPDATE … RETURNING + audit INSERT),
 *     with the SQL the Worker sends (recorded by bench/scale/d1-scale.ts in DIR/results.json): what a
 *     single-threaded D1 database spends executing them, without D1's RPC, JS and replication.
 *
 *   D1_SCALE_DIR=/tmp/d1s npx node bench/scale/sqlite.ts
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

const DIR = process.env.D1_SCALE_DIR ?? '';
if (!DIR) throw new Error('D1_SCALE_DIR: the directory bench/scale/d1-scale.ts seeded');
const ROUNDS = Number(process.env.D1_SCALE_ROUNDS ?? 3);
const objects = join(DIR, 'v3', 'd1', 'miniflare-D1DatabaseObject');
const file = readdirSync(objects)
  .filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')
  .map((f) => join(objects, f))
  .sort((a, b) => statSync(b).size - statSync(a).size)[0];
if (!file) throw new Error(`no database under ${objects}`);
const recorded = JSON.parse(readFileSync(join(DIR, 'results.json'), 'utf8')) as { sql: Record<string, string[]> };
const uptimeBefore = execFileSync('uptime', { encoding: 'utf8' }).trim();

const db = new DatabaseSync(file);
db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
const one = (sql: string) => db.prepare(sql).get() as Record<string, number>;
const count = (o: Record<string, number>, key: string) => o[key] ?? 0;
const pageSize = one('PRAGMA page_size').page_size;
const pageCount = one('PRAGMA page_count').page_count;
const freelist = one('PRAGMA freelist_count').freelist_count;
const rows = one(
  'SELECT (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM auth_events) AS events',
);
const objectsBytes = db
  .prepare('SELECT name, sum(pgsize) AS bytes, sum(ncell) AS cells FROM dbstat GROUP BY name ORDER BY bytes DESC')
  .all() as Array<{ name: string; bytes: number; cells: number }>;
const bytesOf = (names: string[]) =>
  objectsBytes.filter((o) => names.includes(o.name)).reduce((s, o) => s + o.bytes, 0);
const sessionBytes = bytesOf(['sessions', 'sqlite_autoindex_sessions_1', 'sessions_user_id']);
const userBytes = bytesOf([
  'users',
  'sqlite_autoindex_users_1',
  'accounts',
  'sqlite_autoindex_accounts_1',
  'accounts_user_id',
]);
const eventBytes = bytesOf(['auth_events', 'sqlite_autoindex_auth_events_1', 'auth_events_user_id_created_at']);
const storage = {
  file: statSync(file).size,
  pageSize,
  pageCount,
  freelist,
  rows,
  objects: objectsBytes,
  bytesPerSession: sessionBytes / count(rows, 'sessions'),
  bytesPerUser: userBytes / count(rows, 'users'),
  bytesPerAuthEvent: count(rows, 'events') ? eventBytes / count(rows, 'events') : null,
  pragmas: {
    journal_mode: one('PRAGMA journal_mode').journal_mode,
    synchronous: one('PRAGMA synchronous').synchronous,
  },
};
console.error('storage', { ...storage, objects: undefined });
console.table(objectsBytes.map((o) => ({ ...o, MB: (o.bytes / 1e6).toFixed(1) })));

// Live, unrevoked sessions, in random order: half for reads and slides, half for revocations.
const pairs = db
  .prepare('SELECT id, user_id FROM sessions WHERE revoked_at IS NULL ORDER BY random() LIMIT 60000')
  .all() as Array<{ id: string; user_id: string }>;
const reads = pairs.slice(0, Math.floor(pairs.length / 2));
let revokeAt = reads.length;

const refreshSql = recorded.sql.refresh?.[0];
const slideSql = recorded.sql['refresh-slide']?.find((s) => s.startsWith('update'));
const revokeSql = recorded.sql.revoke?.[0];
const auditSql = recorded.sql.revoke?.[1];
if (!refreshSql || !slideSql || !revokeSql || !auditSql) throw new Error('recorded SQL missing');
/** The i-th session kept for reads and slides. */
const read = (i: number) => reads[i % reads.length] as { id: string; user_id: string };
const refresh = db.prepare(refreshSql);
const slide = db.prepare(slideSql);
const revoke = db.prepare(revokeSql);
const audit = db.prepare(auditSql);
const begin = db.prepare('BEGIN');
const commit = db.prepare('COMMIT');
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';

const ops: Record<string, { n: number; run: (i: number) => void }> = {
  'refresh SELECT': {
    n: 30000,
    run: (i) => {
      const s = read(i);
      if (!refresh.get(s.user_id, s.user_id, s.id)) throw new Error('no row');
    },
  },
  'slide (UPDATE + SELECT, one transaction)': {
    n: 5000,
    run: (i) => {
      const s = read(i);
      const now = Date.now();
      begin.run();
      slide.run(now, now + 2_592_000_000, 7_776_000_000, s.id, s.user_id, now, 7_776_000_000, now, s.user_id);
      refresh.get(s.user_id, s.user_id, s.id);
      commit.run();
    },
  },
  'revocation (UPDATE RETURNING + audit INSERT, one transaction)': {
    n: 5000,
    run: () => {
      const s = pairs[revokeAt++];
      if (!s) throw new Error('out of sessions to revoke');
      const now = Date.now();
      begin.run();
      revoke.all(now, s.id, s.user_id);
      audit.run(crypto.randomUUID(), s.user_id, s.id, 'session_revoked', null, now, '203.0.113.7', UA);
      commit.run();
    },
  },
};

// Writes twice: with the file's synchronous setting (WAL + FULL: an fsync per commit) and with
// synchronous = NORMAL (no fsync per commit in WAL mode): the engine's CPU cost alone.
const results: Record<string, number[]> = {};
for (const sync of ['default', 'NORMAL']) {
  if (sync !== 'default') db.exec(`PRAGMA synchronous = ${sync}`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [base, op] of Object.entries(ops)) {
      if (sync !== 'default' && base === 'refresh SELECT') continue;
      const name = sync === 'default' ? base : `${base}, synchronous=${sync}`;
      const n = base.startsWith('revocation') ? Math.floor(op.n / ROUNDS / 2) : op.n;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < n; i++) op.run(i);
      const us = Number(process.hrtime.bigint() - t0) / 1000 / n;
      results[name] = [...(results[name] ?? []), us];
      console.error(`round ${round} ${name}: ${us.toFixed(1)} µs/op (${(1e6 / us).toFixed(0)}/s)`);
    }
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const engine = Object.fromEntries(
  Object.entries(results).map(([name, xs]) => [name, { usPerOp: median(xs), perSecond: 1e6 / median(xs), rounds: xs }]),
);
console.table(
  Object.fromEntries(
    Object.entries(engine).map(([k, v]) => [k, { usPerOp: v.usPerOp.toFixed(1), perSecond: v.perSecond.toFixed(0) }]),
  ),
);
db.close();
const out = { file, storage, engine, uptimeBefore, uptimeAfter: execFileSync('uptime', { encoding: 'utf8' }).trim() };
writeFileSync(join(DIR, 'sqlite-results.json'), JSON.stringify(out, null, 2));
console.error(`results: ${join(DIR, 'sqlite-results.json')}`);
