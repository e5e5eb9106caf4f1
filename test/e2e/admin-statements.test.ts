/**
 * `npm run admin`'s statements against the schema, with nothing listed by hand:
 *  - every command USAGE shows runs, parsed as an operator types it, against in-memory SQLite made
 *    from the real migrations (test/e2e/memory-d1.ts), with one database and with SESSION_DBS, twice
 *    in a row (a change, then nothing to change): a statement naming a column the migrations lack
 *    fails here, and so does a result the admin could not map back (a column name twice);
 *  - its parameters written in as literals (inline.ts) against SQLite's own binding, for arbitrary
 *    strings and integers;
 *  - no file of scripts/admin (clients/ too) holds SQL text: its statements come from drizzle's builders.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { eq, getTableColumns, is, like, Table } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, parseCommandLine, USAGE } from '../../scripts/admin/args.ts';
import { execute } from '../../scripts/admin/commands.ts';
import { type BuiltQuery, inline, literal } from '../../scripts/admin/inline.ts';
import { copyUsers, type SessionDbs } from '../../scripts/admin/shards.ts';
import { build } from '../../scripts/admin/statements.ts';
import { type Actor, parseUuid, type Uuid } from '../../scripts/admin/values.ts';
import * as schema from '../../src/db/schema.ts';
import { sessionDbNameOf } from '../../src/db/shard-of.ts';
import { AUTH_EVENT_KINDS } from '../../src/users/auth-events.ts';
import { memoryRunner, migratedDatabase } from './memory-d1.ts';

const { accounts, authEvents, invitations, serviceClients, sessions, userRoles, users } = schema;
const ROOT = join(import.meta.dirname, '..', '..');
const ALICE = '11111111-1111-4111-8111-111111111111';
/** A service client the `clients show`, `rotate` and `revoke` lines name. */
const CLIENT = '22222222-2222-4222-8222-222222222222';
const NOW = Date.UTC(2026, 10, 1);
/** A name the copy must carry as it is: a quote, `;` (wrangler's statement separator), a control character. */
const NAME = "Alice; O'Brien \u0007";

/** Runs a drizzle statement with bound parameters, as the Worker would. */
function runBound(db: DatabaseSync, query: BuiltQuery) {
  return db.prepare(query.sql).all(...(query.params as SQLInputValue[]));
}

/**
 * Alice: an account, a role from a Google group, a refused sign-in (a live session: liveSession);
 * Carol: invited; a service client, rotated with an overlap (its old secret's hash still valid).
 */
function seed(db: DatabaseSync): void {
  const at = new Date(NOW - 86_400_000);
  const alice = {
    id: ALICE,
    email: 'Alice@Example.com',
    emailNormalized: 'alice@example.com',
    emailVerified: true,
    name: NAME,
    createdAt: at,
    updatedAt: at,
  };
  for (const query of [
    build.insert(users).values(alice),
    build.insert(accounts).values({ provider: 'google', providerAccountId: 'sub-alice', userId: ALICE, createdAt: at }),
    build.insert(userRoles).values({ userId: ALICE, role: 'admin', grantedAt: at, source: 'group:admins@example.com' }),
    build.insert(invitations).values({ email: 'carol@example.com', invitedAt: at }),
    build.insert(serviceClients).values({
      id: CLIENT,
      name: 'nightly',
      secretHash: 'a'.repeat(64),
      previousSecretHash: 'b'.repeat(64),
      previousSecretExpiresAt: new Date(NOW + 3_600_000),
      audiences: ['reports'],
      roles: ['reports'],
      createdAt: at,
    }),
    build.insert(authEvents).values({
      id: 'refused-1',
      userId: ALICE,
      sessionId: null,
      kind: 'sign_in_refused',
      detail: 'account_conflict example.com 1099',
      createdAt: at,
    }),
  ]) {
    runBound(db, query.toSQL());
  }
}

function liveSession() {
  const at = new Date(NOW - 60_000);
  const values = { id: 's-alice', userId: ALICE, createdAt: at, lastSeenAt: at, expiresAt: new Date(NOW + 86_400_000) };
  return build.insert(sessions).values(values).toSQL();
}

/** Each command line as USAGE shows it, with sample values: `invites` ones name a new address. */
function commandLines(): string[][] {
  const lines = USAGE.split('\n').flatMap((line) => {
    const match = /^ {2}((?:users|roles|sessions|invites|clients) [a-z]+(?: [^ ]+)*?)(?: {2,}|$)/.exec(line);
    return match?.[1] ? [match[1]] : [];
  });
  return lines.map((line) => {
    const email = line.startsWith('invites') ? 'dave@example.com' : 'Alice@Example.com';
    const words = line.replaceAll(/[[\]]|\.\.\./g, '').split(' ');
    const samples: Record<string, string> = {
      EMAIL: email,
      ROLE: 'admin',
      SUB: '1099',
      NAME: 'deploy',
      AUD: 'reports',
      AUD2: 'https://api.example.com',
      ID: CLIENT,
    };
    return words.map((word) => samples[word] ?? word);
  });
}

/** Runs every command twice in a row on seeded databases, `users delete` last; returns what they did and sent. */
async function runEveryCommand(sharded: boolean) {
  const db = migratedDatabase();
  seed(db);
  const names = ['SESSIONS_0', 'SESSIONS_1'];
  const shards = new Map(names.map((name) => [name, migratedDatabase()]));
  const home = sharded ? (shards.get(sessionDbNameOf(names, ALICE)) as DatabaseSync) : db;
  const sent: string[] = [];
  const inspect = (statement: ReturnType<DatabaseSync['prepare']>, text: string) => {
    sent.push(text);
    const columns = statement.columns().map((column) => column.name);
    expect(new Set(columns).size, `a column name twice in: ${text}`).toBe(columns.length);
  };
  const sessionDbs: SessionDbs = { names, runIn: (name) => memoryRunner(shards.get(name) as DatabaseSync, inspect) };
  // Alice signed in: with SESSION_DBS her copy (written as the admin writes one) holds her session.
  if (sharded) await copyUsers(sessionDbs, memoryRunner(db), [ALICE]);
  runBound(home, liveSession());
  const deletes = (line: string[]) => Number(line.slice(0, 2).join(' ') === 'users delete');
  const lines = commandLines().sort((a, b) => deletes(a) - deletes(b));
  const codes: Array<[string, number, number]> = [];
  for (const line of lines) {
    const parsed = parseCommandLine([...line, '--json']);
    if (parsed.kind !== 'run') throw new Error(`USAGE shows a command it does not parse: ${line.join(' ')}`);
    const run = () =>
      execute(parsed.invocation, {
        run: memoryRunner(db, inspect),
        now: () => NOW,
        newId: () => parseUuid(crypto.randomUUID()) as Uuid,
        operator: () => 'ops@example.com' as Actor,
        ...(sharded ? { sessionDbs } : {}),
      });
    const [first, second] = [await run(), await run()];
    codes.push([line.join(' '), first.code, second.code]);
    if (sharded && line[1] !== 'delete') {
      // The copy is the original, read after the change (the name too, through `CAST(X'…' AS TEXT)`).
      const copyOf = (database: DatabaseSync) =>
        runBound(database, build.select().from(users).where(eq(users.id, ALICE)).toSQL());
      expect(copyOf(home), line.join(' ')).toEqual(copyOf(db));
    }
  }
  const audited = build.select({ kind: authEvents.kind }).from(authEvents).where(like(authEvents.kind, 'admin_%'));
  const kinds = new Set(
    [db, ...shards.values()].flatMap((database) => runBound(database, audited.toSQL()).map((row) => row.kind)),
  );
  return { codes, sent, kinds, lines };
}

describe('every statement of npm run admin against the migrations (node:sqlite)', () => {
  for (const sharded of [false, true]) {
    it(`runs every command USAGE shows${sharded ? ', with SESSION_DBS' : ''}: each done once, then again`, async () => {
      const { codes, sent, kinds, lines } = await runEveryCommand(sharded);
      expect(lines.map((line) => line.slice(0, 2).join(' ')).sort()).toEqual([...COMMAND_NAMES].sort());
      // The first run of each succeeds on the seeded rows; the second finds nothing left to do (or no one).
      expect(codes.filter(([, first]) => first !== 0)).toEqual([]);
      expect(codes.every(([, , second]) => second === 0 || second === 1)).toBe(true);
      expect(sent.length).toBeGreaterThan(codes.length * 2);
      // Every admin_* kind src/users/auth-events.ts declares is one the CLI writes (clients' too), and no other.
      expect([...kinds].sort()).toEqual(AUTH_EVENT_KINDS.filter((kind) => kind.startsWith('admin_')).sort());
    });
  }
});

describe('parameters written in as literals (inline.ts)', () => {
  const tricky = fc.constantFrom(
    "'",
    '"',
    ';',
    '?',
    '\\',
    '\n',
    '\r',
    '\t',
    '\u0001',
    '\u007f',
    '\u0085',
    '\u2028',
    'é',
    'e\u0301',
    '😀',
    'a',
    ' ',
    '--',
    '/*',
    '\0',
  );
  const text = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: tricky }));

  it('an inlined statement finds the rows its bound twin finds, for any string (NUL refused)', () => {
    const db = migratedDatabase();
    fc.assert(
      fc.property(text, (name) => {
        const insert = build
          .insert(users)
          .values({ id: crypto.randomUUID(), name, createdAt: new Date(NOW), updatedAt: new Date(NOW) })
          .toSQL();
        const select = build.select({ id: users.id, name: users.name }).from(users).where(eq(users.name, name)).toSQL();
        if (name.includes('\0')) {
          expect(() => inline(insert)).toThrow(/refusing a NUL character/);
          return;
        }
        const text = inline(insert);
        expect(text).not.toContain(';'); // wrangler splits its --command on it
        expect(text).not.toMatch(/\p{Cc}/u);
        db.exec(text);
        const found = db.prepare(inline(select)).all();
        expect(found).toEqual(runBound(db, select));
        expect(found.map((row) => row.name)).toContain(name);
      }),
      { numRuns: 300 },
    );
  });

  it('integers as digits, booleans as 1 and 0, null as NULL; a `?` inside quotes stays', () => {
    const db = migratedDatabase();
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        const query = { sql: `SELECT ? AS n, '?' AS "?"`, params: [n] };
        expect(db.prepare(inline(query)).get()).toEqual(db.prepare(query.sql).get(n));
      }),
    );
    expect(inline({ sql: 'SELECT ?, ?, ?', params: [true, false, null] })).toBe('SELECT 1, 0, NULL');
    for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, undefined, {}, new Date(0)]) {
      expect(() => literal(bad), String(bad)).toThrow(TypeError);
    }
    expect(() => literal('\ud800')).toThrow(/lone surrogate/);
    expect(() => inline({ sql: 'SELECT ?', params: [] })).toThrow(/more placeholders/);
    expect(() => inline({ sql: 'SELECT 1', params: [1] })).toThrow(/more parameters/);
  });

  it('refuses SQL that could mean more than the statement drizzle built', () => {
    // A negative number next to a `-` stays a number, not the start of a comment.
    expect(inline({ sql: 'SELECT 1 -?', params: [-1] })).toBe('SELECT 1 -(-1)');
    expect(
      migratedDatabase()
        .prepare(inline({ sql: 'SELECT 1 -? AS n', params: [-1] }))
        .get(),
    ).toEqual({ n: 2 });
    // Inside quotes all of these are text; outside, refused.
    expect(inline({ sql: `SELECT ';--/*?' AS "a;?", [b?] FROM x WHERE y = ?`, params: [1] })).toBe(
      `SELECT ';--/*?' AS "a;?", [b?] FROM x WHERE y = 1`,
    );
    const refused: Array<[string, unknown[], RegExp]> = [
      ['SELECT ?; DROP TABLE users', [1], /refusing a ';'/],
      ['SELECT ? -- ?', [1, 2], /refusing a comment/],
      ['SELECT ? /* ? */', [1, 2], /refusing a comment/],
      ['SELECT ?1', [1], /refusing a numbered placeholder/],
      ["SELECT 'open", [], /an unclosed '/],
      ['SELECT [open', [], /an unclosed \[/],
    ];
    for (const [sql, params, error] of refused) expect(() => inline({ sql, params }), sql).toThrow(error);
    // What a hostile name becomes: one literal, whatever it holds.
    const hostile = "x'); DROP TABLE users; --\u2028é";
    const query = build.select({ id: users.id }).from(users).where(eq(users.name, hostile)).toSQL();
    expect(inline(query)).toBe(
      `select "id" from "users" where "users"."name" = CAST(X'${Buffer.from(hostile).toString('hex')}' AS TEXT)`,
    );
  });
});

/** The string literals of a TypeScript source: quoted, and templates with their tag (• where `${…}` stands). */
function literalsOf(source: string): Array<{ tag: string; text: string }> {
  const found: Array<{ tag: string; text: string }> = [];
  const templates: Array<{ tag: string; parts: string[]; depth: number }> = [];
  let i = 0;
  const readTemplate = (tag: string) => {
    let part = '';
    for (; i < source.length; i++) {
      const char = source[i];
      if (char === '\\') part += char + (source[++i] ?? '');
      else if (char === '`') {
        const template = templates.pop();
        found.push({ tag: template?.tag ?? tag, text: [...(template?.parts ?? []), part].join('•') });
        i++;
        return;
      } else if (char === '$' && source[i + 1] === '{') {
        const template = templates.at(-1);
        template?.parts.push(part);
        if (template) template.depth = 1;
        i += 2;
        return;
      } else part += char;
    }
  };
  while (i < source.length) {
    const char = source[i] as string;
    const open = templates.at(-1);
    if (source.startsWith('//', i)) i = source.indexOf('\n', i) + 1 || source.length;
    else if (source.startsWith('/*', i)) i = source.indexOf('*/', i) + 2;
    else if (char === "'" || char === '"') {
      let text = '';
      for (i++; i < source.length && source[i] !== char; i++)
        text += source[i] === '\\' ? `\\${source[++i]}` : source[i];
      found.push({ tag: '', text });
      i++;
    } else if (char === '`') {
      const tag = /([A-Za-z_$][\w$.]*)(?:<[^>]*>)?\s*$/.exec(source.slice(Math.max(0, i - 40), i))?.[1] ?? '';
      templates.push({ tag, parts: [], depth: 0 });
      i++;
      readTemplate(tag);
    } else if (open && open.depth > 0 && (char === '{' || char === '}')) {
      open.depth += char === '{' ? 1 : -1;
      i++;
      if (open.depth === 0) readTemplate(open.tag);
    } else i++;
  }
  return found;
}

describe('scripts/admin builds every statement with drizzle', () => {
  const files = [
    'scripts/admin.ts',
    ...readdirSync(join(ROOT, 'scripts/admin'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => `scripts/admin/${file}`),
  ];
  const columns = Object.values(schema)
    .filter((value) => is(value, Table))
    .flatMap((table) => Object.values(getTableColumns(table as Table)).map((column) => column.name))
    .filter((name) => name.includes('_'));

  it('Node loads every module of the admin as is (type stripping: the src/ files it loads name their .ts files)', () => {
    const modules = files
      .map((file) => `await import(${JSON.stringify(`./${file}`)});`)
      .filter((line) => !line.includes('admin.ts"'));
    const run = spawnSync(process.execPath, ['--input-type=module', '--eval', modules.join('\n')], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('finds the literals of a source', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source as text, templates and all
    const source = "const a = 'x'; // 'not this'\nconst b = sql`lower(${t.c}) = ${`in ${'n'}`}`; /* `no` */ q(\"y\")";
    expect(literalsOf(source)).toEqual([
      { tag: '', text: 'x' },
      { tag: '', text: 'n' },
      { tag: '', text: 'in •' },
      { tag: 'sql', text: 'lower(•) = •' },
      { tag: '', text: 'y' },
    ]);
  });

  it('no literal holds SQL or a column name; a sql`…` template only calls SQL functions', () => {
    expect(columns).toContain('email_normalized');
    const offending: string[] = [];
    for (const file of files) {
      const source = readFileSync(join(ROOT, file), 'utf8');
      if (source.includes('sql.raw')) offending.push(`${file}: sql.raw`);
      for (const { tag, text } of literalsOf(source)) {
        const sqlWords =
          /\b(SELECT|INSERT|UPDATE|DELETE FROM|FROM|WHERE|JOIN|VALUES|RETURNING|ORDER BY|GROUP BY)\b/.test(text);
        const column = columns.find((name) => new RegExp(`\\b${name}\\b`).test(text));
        // Function names and punctuation only: `lower(${users.email})`, `json_object(${…})`, `changes()`.
        const notCalls = tag === 'sql' && !/^(?:[a-z_]+\(|[\s,()]|•)*$/.test(text);
        if (sqlWords || column || notCalls) offending.push(`${file}: ${tag}\`${text}\``);
      }
    }
    expect(offending).toEqual([]);
  });
});
