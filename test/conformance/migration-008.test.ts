import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations, postgresDdl, sqliteDdl } from '../../src/store/migrations/index.js';
import { at, openStore, type StoreFixture } from './support.js';
import { isUniqueViolation } from '../../src/store/conflicts.js';

let fixture: StoreFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Runs the statements of the migrations before `version` (or of exactly that one). */
async function apply(f: StoreFixture, which: (version: string) => boolean) {
  const ddl = f.database.dialect === 'sqlite' ? sqliteDdl : postgresDdl;
  for (const m of migrations.filter((m) => which(m.version))) {
    for (const statement of m.statements(ddl)) await sql.raw(statement).execute(f.database.db);
  }
}

describe('migration 008: unique live resource-group names', () => {
  it('keeps the oldest name, suffixes later live duplicates, ignores deleted groups, then refuses duplicates', async () => {
    fixture = await openStore({ migrate: false });
    const db = fixture.database.db;
    await apply(fixture, (v) => v < '008');
    await db.insertInto('accounts').values({ id: 'a1', name: 'A', owner_iam_id: 'IBMid-1', state: 'ACTIVE', created_at: at(), updated_at: at() }).execute();
    const group = (id: string, name: string, n: number, state = 'ACTIVE') =>
      db
        .insertInto('resource_groups')
        .values({ id, account_id: 'a1', name, state, is_default: 0, quota_id: 'q', created_at: at(n), updated_at: at(n), deleted_at: null })
        .execute();
    await group('1111111111aaaaaa', 'team', 1);
    await group('2222222222bbbbbb', 'team', 2);
    await group('3333333333cccccc', 'team', 3);
    await group('4444444444dddddd', 'team', 0, 'DELETED');
    await group('5555555555eeeeee', 'other', 4);

    await apply(fixture, (v) => v.startsWith('008_'));

    const rows = await db.selectFrom('resource_groups').select(['id', 'name']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: '1111111111aaaaaa', name: 'team' },
      { id: '2222222222bbbbbb', name: 'team-22222222' },
      { id: '3333333333cccccc', name: 'team-33333333' },
      { id: '4444444444dddddd', name: 'team' },
      { id: '5555555555eeeeee', name: 'other' },
    ]);
    await expect(group('6666666666ffffff', 'other', 5)).rejects.toSatisfy(isUniqueViolation);
    await group('7777777777000000', 'other', 6, 'DELETED');
  });
});
