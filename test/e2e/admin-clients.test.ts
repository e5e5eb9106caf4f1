/**
 * `npm run admin -- clients …` (scripts/admin/clients), two ways, as test/e2e/admin-cli.test.ts does
 * for users:
 *  - its batches, built with drizzle from src/db/schema.ts and inlined by scripts/admin/inline.ts
 *    (as every command's: test/e2e/admin-statements.test.ts), run against an in-memory SQLite with
 *    the real migrations (node:sqlite): audit rows, rotation and revocation by the database's clock;
 *  - the CLI as an operator runs it, through npm run and wrangler, against a throwaway local D1.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../scripts/admin/args.ts';
import {
  createClient,
  listClients,
  revokeClient,
  rotateClient,
  showClient,
} from '../../scripts/admin/clients/batches.ts';
import { curlExample } from '../../scripts/admin/clients/commands.ts';
import { parseOverlap } from '../../scripts/admin/clients/values.ts';
import { execute } from '../../scripts/admin/commands.ts';
import type { Batch, ChangeContext, Rows } from '../../scripts/admin/rows.ts';
import { parseUuid, type Role, type Uuid } from '../../scripts/admin/values.ts';
import { readLocalD1, runAdmin } from './admin-run.ts';
import { childEnv } from './child-env.ts';
import { memoryRunner, migratedDatabase } from './memory-d1.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WRANGLER = join(dirname(createRequire(import.meta.url).resolve('wrangler/package.json')), 'bin', 'wrangler.js');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let ids = 0;
const uuid = () => parseUuid(`00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`) as Uuid;
/** The operator's clock a day behind: times that tokens are compared with come from the database's. */
const LAPTOP_BEHIND = () => Date.now() - 86_400_000;
const context = (): ChangeContext => ({
  now: LAPTOP_BEHIND(),
  auditId: uuid(),
  by: 'ops@example.com' as ChangeContext['by'],
});

describe('clients batches (node:sqlite, no wrangler)', () => {
  /** Runs a batch's statements in order on one connection (as D1 does), and reads the results. */
  const run = <T>(db: DatabaseSync, batch: Batch<T>): T =>
    batch.read(batch.statements.map((statement) => db.prepare(statement).all() as Rows));
  const created = (db: DatabaseSync, secret = 'sws_first') => {
    const id = uuid();
    const client = {
      id,
      name: 'nightly' as never,
      secretHash: sha256(secret),
      audiences: ['reports' as never],
      roles: ['reports' as Role],
    };
    return { id, row: run(db, createClient(client, context())) };
  };
  const stored = (db: DatabaseSync, id: string) =>
    db.prepare('SELECT * FROM service_clients WHERE id = ?').get(id) as Record<string, unknown>;

  it('create stores the hash, never the secret, and its audit row (user_id client:<id>)', () => {
    const db = migratedDatabase();
    const { id, row } = created(db);
    expect(row).toMatchObject({ id, name: 'nightly', audiences: ['reports'], roles: ['reports'], revokedAt: null });
    expect(row).not.toHaveProperty('secretHash');
    expect(row).not.toHaveProperty('previousSecretHash');
    expect(stored(db, id).secret_hash).toBe(sha256('sws_first'));
    expect(stored(db, id)).toMatchObject({ audiences: '["reports"]', roles: '["reports"]' });
    // created_at by the database's clock (the schema's default), not the laptop's.
    expect(Math.abs((row?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(db.prepare('SELECT user_id, kind, detail FROM auth_events').all()).toEqual([
      {
        user_id: `client:${id}`,
        kind: 'admin_client_created',
        detail: '{"name":"nightly","audiences":["reports"],"roles":["reports"],"by":"ops@example.com"}',
      },
    ]);
  });

  it('rotate with overlap keeps the old hash until the database clock plus the overlap; without, drops it and revokes older tokens', () => {
    const db = migratedDatabase();
    const { id } = created(db);
    const before = Date.now();
    const overlap = run(db, rotateClient(id, sha256('sws_second'), 3600, context()));
    expect(overlap.auditId).not.toBeNull();
    const afterOverlap = stored(db, id);
    expect(afterOverlap).toMatchObject({
      secret_hash: sha256('sws_second'),
      previous_secret_hash: sha256('sws_first'),
      tokens_revoked_before: null,
    });
    expect(Number(afterOverlap.previous_secret_expires_at)).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(Number(afterOverlap.previous_secret_expires_at)).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    expect(overlap.client?.previousSecretExpiresAt?.getTime()).toBe(afterOverlap.previous_secret_expires_at);

    run(db, rotateClient(id, sha256('sws_third'), 0, context()));
    const afterHard = stored(db, id);
    expect(afterHard).toMatchObject({ secret_hash: sha256('sws_third'), previous_secret_hash: null });
    expect(Number.isInteger(afterHard.tokens_revoked_before)).toBe(true);
    expect(Number(afterHard.tokens_revoked_before)).toBeGreaterThanOrEqual(before - 1000);
    expect(db.prepare("SELECT detail FROM auth_events WHERE kind = 'admin_client_rotated'").all()).toEqual([
      { detail: '{"overlapSeconds":3600,"by":"ops@example.com"}' },
      { detail: '{"overlapSeconds":0,"by":"ops@example.com"}' },
    ]);
  });

  it('revoke once: revoked_at and tokens_revoked_before, one audit row; again, or a rotation after it: nothing', () => {
    const db = migratedDatabase();
    const { id } = created(db);
    const before = Date.now();
    const first = run(db, revokeClient(id, context()));
    expect(first.auditId).not.toBeNull();
    expect(first.client?.revokedAt).toEqual(first.client?.tokensRevokedBefore);
    expect(first.client?.revokedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(run(db, revokeClient(id, context())).auditId).toBeNull();
    expect(run(db, rotateClient(id, sha256('sws_x'), 0, context()))).toMatchObject({ auditId: null });
    expect(stored(db, id).secret_hash).toBe(sha256('sws_first'));
    const unknown = run(db, revokeClient(uuid(), context()));
    expect(unknown).toEqual({ client: undefined, auditId: null });
    const shown = run(db, showClient(id));
    expect(shown.events.map((e) => e.kind)).toEqual(['admin_client_revoked', 'admin_client_created']);
    // Without --by (nor git user.email, $USER) the detail is an empty object, as before.
    run(db, revokeClient(created(db).id, { ...context(), by: null }));
    expect(db.prepare("SELECT detail FROM auth_events WHERE kind = 'admin_client_revoked'").all()).toEqual([
      { detail: '{"by":"ops@example.com"}' },
      { detail: '{}' },
    ]);
  });

  it('the commands print the secret once and the curl line; JSON and text', async () => {
    const db = migratedDatabase();
    const deps = {
      run: memoryRunner(db),
      now: () => Date.now(),
      newId: uuid,
      operator: () => null,
      newSecret: () => 'sws_known',
      issuer: 'https://api.example.com',
      knownAudiences: ['https://api.example.com', 'reports'],
    };
    const parsed = parseCommandLine(['clients', 'create', 'CI deploy', '--audience', 'reports', '--audience', 'nope']);
    if (parsed.kind !== 'run') throw new Error(JSON.stringify(parsed));
    const out = await execute(parsed.invocation, deps);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('\n  sws_known\n');
    expect(out.stdout).toMatch(
      /curl -s -u '[0-9a-f-]{36}:sws_known' -d grant_type=client_credentials -d 'audience=reports' https:\/\/api\.example\.com\/auth\/token/,
    );
    expect(out.stderr).toContain('nope is not in TOKEN_AUDIENCES');
    const list = await execute({ ...parsed.invocation, command: { name: 'clients list' }, json: true }, deps);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ name: 'CI deploy', audiences: ['reports', 'nope'], roles: [], revokedAt: null }),
    ]);
    expect(list.stdout).not.toContain('sws_known');
    expect(list.stdout).not.toContain(sha256('sws_known'));
  });

  it('parses the command line; usage errors otherwise', () => {
    const run = (line: string) => parseCommandLine(line.split(' ').filter(Boolean));
    expect(run('clients create nightly --audience reports --role a --role b --json')).toMatchObject({
      kind: 'run',
      invocation: {
        command: { name: 'clients create', clientName: 'nightly', audiences: ['reports'], roles: ['a', 'b'] },
        json: true,
        wranglerFlags: ['--local'],
      },
    });
    const id = '11111111-1111-4111-8111-111111111111';
    expect(run(`clients rotate ${id} --overlap 1h --env production --remote`)).toMatchObject({
      invocation: {
        command: { name: 'clients rotate', id, overlapSeconds: 3600 },
        wranglerFlags: ['--env', 'production', '--remote'],
      },
    });
    expect(run(`clients rotate ${id}`)).toMatchObject({ invocation: { command: { overlapSeconds: 0 } } });
    expect([
      parseOverlap('90s'),
      parseOverlap('15m'),
      parseOverlap('2d'),
      parseOverlap('30'),
      parseOverlap('8d'),
    ]).toEqual([90, 900, 172_800, 30, null]);
    const usage = (line: string, error: RegExp) => expect(run(line)).toMatchObject({ kind: 'usage', error });
    usage('clients', /unknown command 'clients'/);
    usage('clients create nightly', /needs --audience/);
    usage("clients create x';DROP --audience reports", /not a client name/);
    usage('clients create nightly --audience has space', /takes 1 argument/);
    usage('clients create nightly --audience reports --role Admin', /not a role name/);
    usage('clients show nightly', /not a client id/);
    usage(`clients rotate ${id} --overlap 1y`, /not a duration/);
    usage(`clients revoke ${id} --overlap 1h`, /--overlap does not apply/);
    usage('clients list --audience x', /--audience does not apply/);
  });
});

// --- The CLI, through npm run and wrangler, against a local D1 ---

let dir: string;
let persistDir: string;
let ENV: NodeJS.ProcessEnv = childEnv();

const npmRunAdmin = (args: string[]) => runAdmin([...args, '--persist-to', persistDir], ENV);
const d1 = <Row = Record<string, unknown>>(query: string): Row[] => readLocalD1<Row>(persistDir, query);

describe('npm run admin -- clients against a local D1', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sitewide-admin-clients-'));
    persistDir = join(dir, 'state');
    ENV = childEnv({ NODE_COMPILE_CACHE: join(dir, 'compile-cache') });
    const migrate = spawnSync(
      process.execPath,
      [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistDir],
      {
        cwd: ROOT,
        env: ENV,
        encoding: 'utf8',
      },
    );
    if (migrate.status !== 0) throw new Error(migrate.stderr || migrate.stdout);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('create (secret once, its SHA-256 stored), list, show, rotate, revoke; audited; exit codes', async () => {
    const create = await npmRunAdmin([
      'clients',
      'create',
      'nightly report',
      '--audience',
      'reports',
      '--role',
      'reports',
      '--json',
      '--by',
      'ops@example.com',
    ]);
    expect(create.code).toBe(0);
    const made = JSON.parse(create.stdout) as { id: string; secret: string; curl: string; subject: string };
    expect(made.secret).toMatch(/^sws_[A-Za-z0-9_-]{43}$/);
    expect(made.subject).toBe(`client:${made.id}`);
    expect(d1(`SELECT secret_hash, audiences, roles, created_by FROM service_clients WHERE id = '${made.id}'`)).toEqual(
      [
        {
          secret_hash: sha256(made.secret),
          audiences: '["reports"]',
          roles: '["reports"]',
          created_by: 'ops@example.com',
        },
      ],
    );

    const list = await npmRunAdmin(['clients', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(
        `^NAME\\s+AUDIENCES\\s+ROLES\\s+STATUS\\s+LAST USED\\s+ID\\n[- ]+\\nnightly report\\s+reports\\s+reports\\s+active\\s+-\\s+${made.id}\\n$`,
      ),
    );
    expect(list.stdout).not.toContain(made.secret);

    const rotate = await npmRunAdmin(['clients', 'rotate', made.id, '--overlap', '15m', '--json']);
    expect(rotate.code).toBe(0);
    const rotated = JSON.parse(rotate.stdout) as { secret: string; client: { previousSecretValidUntil: string } };
    expect(rotated.secret).not.toBe(made.secret);
    expect(Date.parse(rotated.client.previousSecretValidUntil) - Date.now()).toBeGreaterThan(14 * 60_000);

    const revoke = await npmRunAdmin(['clients', 'revoke', made.id]);
    expect(revoke).toMatchObject({ code: 0, stderr: '' });
    expect(revoke.stdout).toContain('401 session_revoked');
    const [row] = d1<{ revoked_at: number; tokens_revoked_before: number; previous_secret_hash: string | null }>(
      `SELECT revoked_at, tokens_revoked_before, previous_secret_hash FROM service_clients WHERE id = '${made.id}'`,
    );
    expect(row?.revoked_at).toBe(row?.tokens_revoked_before);
    expect(row?.previous_secret_hash).toBeNull();

    const show = await npmRunAdmin(['clients', 'show', made.id]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^id:\s+[0-9a-f-]{36}\nname:\s+nightly report\n/);
    for (const kind of ['admin_client_created', 'admin_client_rotated', 'admin_client_revoked'])
      expect(show.stdout).toContain(kind);
    expect(d1(`SELECT kind FROM auth_events WHERE user_id = 'client:${made.id}' ORDER BY created_at`)).toEqual([
      { kind: 'admin_client_created' },
      { kind: 'admin_client_rotated' },
      { kind: 'admin_client_revoked' },
    ]);

    const [again, missing, usage] = [
      await npmRunAdmin(['clients', 'rotate', made.id]),
      await npmRunAdmin(['clients', 'show', '22222222-2222-4222-8222-222222222222']),
      await npmRunAdmin(['clients', 'create', 'x']),
    ];
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is revoked: a revoked client stays revoked');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no service client with id 22222222-');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("'clients create' needs --audience");
    expect(d1('SELECT count(*) AS n FROM service_clients')).toEqual([{ n: 1 }]);
    expect(
      d1(
        `SELECT count(*) AS n FROM service_clients WHERE id = '${made.id}' AND secret_hash = '${sha256(rotated.secret)}'`,
      ),
    ).toEqual([{ n: 1 }]);
  });
});

// The columns the CLI never reads back: the schema's, less the secret hashes.
it('the CLI reads no secret column back', () => {
  const statements = [...showClient(uuid()).statements, ...listClients().statements].join('\n');
  expect(statements).toContain('"tokens_revoked_before"');
  expect(statements).not.toContain('secret_hash');
});

describe('the curl line the commands print', () => {
  it("quotes for the shell whatever an audience holds, a ' included", () => {
    expect(curlExample('https://api.example.com/auth/token', 'id-1', 'sws_s', "https://x.example.com/it's")).toBe(
      "curl -s -u 'id-1:sws_s' -d grant_type=client_credentials -d 'audience=https://x.example.com/it'\\''s' https://api.example.com/auth/token",
    );
  });
});
