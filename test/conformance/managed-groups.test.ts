import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/kernel/errors.js';
import { managedLookup, type ManagedLookup } from '../../src/templates/groups/managed.js';
import { createTemplateStore, type TemplateStore } from '../../src/templates/store.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

/**
 * The managed-resource lookup of the access-group template kind (templates/groups/managed.ts), on
 * both databases: a resource id names the assignment that made it, only while that assignment's
 * row for it succeeded, and not after the rows are replaced or the assignment is deleted.
 */

let fixture: StoreFixture;
let store: TemplateStore;
let writer: Writer;
let lookup: ManagedLookup;

beforeAll(async () => {
  fixture = await openStore();
  store = createTemplateStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
  lookup = managedLookup(fixture.database.db);
});
afterAll(async () => fixture.close());

describe('managedLookup', () => {
  it('finds the assignment that manages a resource, and forgets it when its rows go', async () => {
    await writer.write(async (w) => {
      await store.insertTemplate(w.trx, { id: 'tpl-1', kind: 'access_group', accountId: 'ent-1', name: 'ops', createdAt: at(), createdById: 'IBMid-1' }, () => new DomainError('conflict', 'taken', 'taken'));
      await store.insertAssignment(
        w.trx,
        {
          id: 'asg-1', kind: 'access_group', accountId: 'ent-1', templateId: 'tpl-1', templateVersion: 2, targetType: 'Account', target: 'child-1',
          status: 'succeeded', operation: 'create', createdAt: at(), createdById: 'IBMid-1', lastModifiedAt: at(), lastModifiedById: 'IBMid-1', entityTag: '1-a',
        },
        () => new DomainError('conflict', 'taken', 'taken'),
      );
      await store.putResources(w.trx, 'asg-1', 'child-1', [
        { key: 'group', resourceId: 'AccessGroupId-managed', version: 2, status: 'succeeded' },
        { key: 'member:IBMid-x', resourceId: 'IBMid-x', version: 2, status: 'failed', error: { kind: 'not_found', code: 'not_found', message: 'gone' } },
      ]);
    });
    expect(await lookup('AccessGroupId-managed')).toEqual({ assignmentId: 'asg-1', templateId: 'tpl-1', templateVersion: 2, kind: 'access_group', key: 'group' });
    expect(await lookup('IBMid-x')).toBeUndefined();
    expect(await lookup('AccessGroupId-other')).toBeUndefined();

    await writer.write((w) => store.putResources(w.trx, 'asg-1', 'child-1', []));
    expect(await lookup('AccessGroupId-managed')).toBeUndefined();

    await writer.write((w) => store.putResources(w.trx, 'asg-1', 'child-1', [{ key: 'group', resourceId: 'AccessGroupId-managed', version: 3, status: 'succeeded' }]));
    expect((await lookup('AccessGroupId-managed'))?.templateVersion).toBe(3);
    await writer.write((w) => store.deleteAssignment(w.trx, 'asg-1'));
    expect(await lookup('AccessGroupId-managed')).toBeUndefined();
  });
});
