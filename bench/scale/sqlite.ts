/** The scale study's second half (bench/scale/README.md): storage per table and row, and the SQLite engine's own time. */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { stats } from '../stats.ts';

const DIR = process.env.D1_SCALE_DIR ?? '';
const ROUNDS = Number(process.env.D1_SCALE_ROUNDS ?? 3);
const objects = join(DIR, 'v3', 'd1', 'miniflare-D1DatabaseObject');
const file = readdirSync(objects)
  .filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite')
  .map((f) => join(objects, f))
  .sort((a, b) => statSync(b).size - statSync(a).size)[0];
if (!file) throw new Error(`no database under ${objects}: D1_SCALE_DIR, the directory bench/scale/d1-scale.ts seeded`);
const { sql } = JSON.parse(readFileSync(join(DIR, 'results.json'), 'utf8')) as { sql: Record<string, string[]> };
const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();
const uptimeBefore = uptime();

const db = new DatabaseSync(file);
db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
const one = (query: string) => db.prepare(query).get() as Record<string, number>;
const rows = one(`SELECT (SELECT count(*) FROM sessions) AS sessions, (SELECT count(*) FROM users) AS users,
  (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM auth_events) AS events`);
const dbstat = 'SELECT name, sum(pgsize) AS bytes, sum(ncell) AS cells FROM dbstat GROUP BY name ORDER BY bytes DESC';
const tables = db.prepare(dbstat).all() as Array<{ name: string; bytes: number }>;
/** Bytes per row of tables with their indexes (the dbstat objects named after them, and their autoindexes). */
const perRow = (names: string[], count = 0) => {
  const mine = tables.filter((o) =>
    names.some((t) => [t, `sqlite_autoindex_${t}_1`].includes(o.name) || o.name.startsWith(`${t}_`)),
  );
  return count ? mine.reduce((a, o) => a + o.bytes, 0) / count : null;
};
const pragmas = ['page_size', 'page_count', 'freelist_count', 'journal_mode', 'synchronous'];
const storage = {
  ...{ file: statSync(file).size, ...Object.fromEntries(pragmas.map((p) => [p, one(`PRAGMA ${p}`)[p]])), rows },
  bytesPerSession: perRow(['sessions'], rows.sessions),
  bytesPerUser: perRow(['users', 'accounts'], rows.users),
  bytesPerAuthEvent: perRow(['auth_events'], rows.events),
  objects: tables,
};
console.table(tables.map((o) => ({ ...o, MB: (o.bytes / 1e6).toFixed(1) })));

// Live sessions in random order: half for reads and slides, half for revocations.
const live = 'SELECT id, user_id FROM sessions WHERE revoked_at IS NULL ORDER BY random() LIMIT 60000';
const pairs = db.prepare(live).all() as Array<{ id: string; user_id: string }>;
const read = (i: number) => pairs[i % Math.floor(pairs.length / 2)] as { id: string; user_id: string };
let revokeAt = Math.floor(pairs.length / 2);
const prepare = (query: string | undefined) => db.prepare(query ?? fail('recorded SQL missing in DIR/results.json'));
const refresh = prepare(sql.refresh?.[0]);
const revoke = prepare(sql.revoke?.[0]);
const audit = prepare(sql.revoke?.[1]);
const slide = prepare(sql['refresh-slide']?.find((s) => s.startsWith('update')));
const UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36';
const transaction = (body: () => void) => {
  db.exec('BEGIN');
  body();
  db.exec('COMMIT');
};
const ops: Record<string, { n: number; run: (i: number) => void }> = {
  'refresh SELECT': {
    n: 30000,
    run: (i) => void (refresh.get(read(i).user_id, read(i).user_id, read(i).id) ?? fail('no row')),
  },
  'slide (UPDATE + SELECT, one transaction)': {
    n: 5000,
    run: (i) =>
      transaction(() => {
        const { id, user_id: user } = read(i);
        const now = Date.now();
        slide.run(now, now + 2_592_000_000, 7_776_000_000, id, user, now, 7_776_000_000, now, user);
        refresh.get(user, user, id);
      }),
  },
  'revocation (UPDATE RETURNING + audit INSERT, one transaction)': {
    n: Math.floor(5000 / ROUNDS / 2),
    run: () =>
      transaction(() => {
        const s = pairs[revokeAt++] ?? fail('out of sessions to revoke');
        revoke.all(Date.now(), s.id, s.user_id);
        audit.run(crypto.randomUUID(), s.user_id, s.id, 'session_revoked', null, Date.now(), '203.0.113.7', UA);
      }),
  },
};
function fail(message: string): never {
  throw new Error(message);
}

// Writes twice: with the file's own setting (WAL + FULL: an fsync per commit), then synchronous = NORMAL (the engine's CPU alone).
const results: Record<string, number[]> = {};
for (const sync of ['default', 'NORMAL']) {
  if (sync !== 'default') db.exec(`PRAGMA synchronous = ${sync}`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [base, op] of Object.entries(ops)) {
      if (sync !== 'default' && base === 'refresh SELECT') continue;
      const name = sync === 'default' ? base : `${base}, synchronous=${sync}`;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < op.n; i++) op.run(i);
      const us = Number(process.hrtime.bigint() - t0) / 1000 / op.n;
      results[name] = [...(results[name] ?? []), us];
      console.error(`round ${round} ${name}: ${us.toFixed(1)} µs/op (${(1e6 / us).toFixed(0)}/s)`);
    }
  }
}
db.close();
const median = (xs: number[]) => stats(xs).median;
const perOp = ([name, xs]: [string, number[]]) => [
  name,
  { usPerOp: median(xs), perSecond: 1e6 / median(xs), rounds: xs },
];
const engine = Object.fromEntries(Object.entries(results).map(perOp));
console.table(engine);
const summary = { file, storage, engine, uptimeBefore, uptimeAfter: uptime() };
writeFileSync(join(DIR, 'sqlite-results.json'), JSON.stringify(summary, null, 2));
console.error(`results: ${join(DIR, 'sqlite-results.json')}`);
