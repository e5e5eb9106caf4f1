/**
 * scripts/admin/inline-sql.ts: a drizzle query (`toSQL()`) as one SQL statement for `wrangler d1
 * execute`, which has no bind parameters. Checked against an in-memory SQLite with the real
 * migrations (node:sqlite): hostile text round-trips exactly and never escapes its literal.
 */
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/sqlite-proxy';
import { describe, expect, it } from 'vitest';
import { inlineSql, sqlLiteral } from '../../scripts/admin/inline-sql.ts';
import { joinStatements } from '../../scripts/admin/wrangler.ts';
import { users } from '../../src/db/schema.ts';
import { memoryD1 } from './memory-d1.ts';

const builder = drizzle(async () => {
  throw new Error('builder only');
});

describe('inlineSql: a drizzle query as one statement for wrangler d1 execute', () => {
  it('replaces each placeholder outside quotes with a literal; text that could break out becomes hex', () => {
    const hostile = "x'); DROP TABLE users; --\u2028é";
    const query = builder
      .select({ id: users.id })
      .from(users)
      .where(sql`${users.name} = ${hostile} and ${users.email} = '?' and ${users.id} = ${'plain id'}`);
    const text = inlineSql(query);
    expect(text).toContain(`CAST(X'${Buffer.from(hostile).toString('hex')}' AS TEXT)`);
    expect(text).toContain(`"email" = '?'`);
    expect(text).toContain(`"id" = 'plain id'`);
    expect(text).not.toContain('DROP');
    expect(() => joinStatements([text])).not.toThrow();
    expect([sqlLiteral(null), sqlLiteral(true), sqlLiteral(12), sqlLiteral(1.5), sqlLiteral(2n)]).toEqual([
      'NULL',
      '1',
      '12',
      '1.5',
      '2',
    ]);
    expect(sqlLiteral(new Uint8Array([0, 255]))).toBe("X'00ff'");
  });

  it('round-trips every value through SQLite exactly', () => {
    const db = memoryD1();
    const values = ["o'neil", 'a;b', '', 'naïve ☃', '\u0000nul', 'line\nbreak', "''; --"];
    for (const [i, name] of values.entries()) {
      const id = `u${i}`;
      db.exec(inlineSql(builder.insert(users).values({ id, name, createdAt: new Date(5), updatedAt: new Date(6) })));
      const [row] = db.prepare(inlineSql(builder.select().from(users).where(eq(users.id, id)))).all() as Array<{
        name: string;
        created_at: number;
      }>;
      expect(row, JSON.stringify(name)).toMatchObject({ name, created_at: 5 });
    }
  });

  it('refuses what it cannot inline safely', () => {
    expect(() => inlineSql({ sql: 'select ?; select 1', params: [1] })).toThrow(/';'/);
    expect(() => inlineSql({ sql: 'select ? -- ?', params: [1, 2] })).toThrow(/comment/);
    expect(() => inlineSql({ sql: 'select ?1', params: [1] })).toThrow(/numbered/);
    expect(() => inlineSql({ sql: 'select ?, ?', params: [1] })).toThrow(/more placeholders/);
    expect(() => inlineSql({ sql: 'select ?', params: [1, 2] })).toThrow(/2 parameters for 1/);
    expect(() => inlineSql({ sql: "select 'open", params: [] })).toThrow(/unterminated/);
    expect(() => sqlLiteral(Number.NaN)).toThrow();
    expect(() => sqlLiteral(new Date())).toThrow();
    expect(() => sqlLiteral({})).toThrow();
  });
});
