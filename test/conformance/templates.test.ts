import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/kernel/errors.js';
import { createTemplateStore, type TemplateStore } from '../../src/templates/store.js';
import type { Assignment, TemplateVersion } from '../../src/templates/types.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, domainErrorOf, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: TemplateStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createTemplateStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

const taken = () => new DomainError('conflict', 'taken', 'taken');
const head = (id: string, name: string, accountId = 'ent-1', kind = 'policy') => ({ id, kind, accountId, name, createdAt: at(), createdById: 'IBMid-1' });
const version = (id: string, n: number, committed = false): TemplateVersion => ({
  id,
  version: n,
  kind: 'policy',
  accountId: 'ent-1',
  name: 'n',
  body: { n },
  committed,
  state: 'active',
  createdAt: at(n),
  createdById: 'IBMid-1',
  lastModifiedAt: at(n),
  lastModifiedById: 'IBMid-1',
  entityTag: `1-${n}`,
});
const assignment = (id: string, templateId: string, target: string): Assignment => ({
  id,
  kind: 'policy',
  accountId: 'ent-1',
  templateId,
  templateVersion: 1,
  targetType: 'Account',
  target,
  status: 'in_progress',
  operation: 'create',
  createdAt: at(),
  createdById: 'IBMid-1',
  lastModifiedAt: at(),
  lastModifiedById: 'IBMid-1',
  entityTag: '1-a',
});

async function template(id: string, name: string, versions: number, accountId = 'ent-1', kind = 'policy') {
  await writer.write(async (w) => {
    await store.insertTemplate(w.trx, head(id, name, accountId, kind), taken);
    for (let n = 1; n <= versions; n++) {
      const number = (await store.allocateVersion(w.trx, id))!;
      await store.insertVersion(w.trx, { ...version(id, number), accountId, kind });
    }
  });
}

describe('template store', () => {
  it('keeps template names unique per kind and account, also between racing creates', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => writer.write((w) => store.insertTemplate(w.trx, head(`race-${i}`, 'same'), taken))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as DomainError).code).toBe('taken');
    // The same name is free in another account and for another kind.
    await writer.write((w) => store.insertTemplate(w.trx, head('other-acct', 'same', 'ent-2'), taken));
    await writer.write((w) => store.insertTemplate(w.trx, head('other-kind', 'same', 'ent-1', 'role'), taken));
    await template('renamed', 'before', 1);
    expect((await domainErrorOf(writer.write((w) => store.renameTemplate(w.trx, 'renamed', 'same', taken)))).code).toBe('taken');
  });

  it('hands out distinct version numbers to racing writers', async () => {
    await template('versions', 'versions', 1);
    const numbers = await Promise.all(Array.from({ length: 8 }, () => writer.write((w) => store.allocateVersion(w.trx, 'versions'))));
    const values = numbers.map((n) => n.value);
    expect(new Set(values).size).toBe(8);
    expect(Math.min(...(values as number[]))).toBe(2);
    expect((await writer.write((w) => store.allocateVersion(w.trx, 'no-such'))).value).toBeUndefined();
  });

  it('updates an uncommitted version with the expected tag only; a committed one never', async () => {
    await template('upd', 'upd', 2);
    const changes = { name: 'upd', description: 'd', body: { x: 1 }, committed: false, lastModifiedAt: at(9), lastModifiedById: 'IBMid-2', entityTag: '2-x' };
    expect((await writer.write((w) => store.updateVersion(w.trx, 'upd', 1, 'wrong', changes))).value).toBe(false);
    expect((await writer.write((w) => store.updateVersion(w.trx, 'upd', 1, '1-1', changes))).value).toBe(true);
    const updated = await store.getVersion('upd', 1);
    expect(updated).toMatchObject({ body: { x: 1 }, description: 'd', entityTag: '2-x', committed: false });
    expect((await writer.write((w) => store.commitVersion(w.trx, 'upd', 1, '2-x', { at: at(10), by: 'IBMid-2', entityTag: '3-y' }))).value).toBe(true);
    expect((await writer.write((w) => store.updateVersion(w.trx, 'upd', 1, undefined, changes))).value).toBe(false);
    expect((await store.getVersion('upd', 1))?.committed).toBe(true);
    expect((await store.latestVersion('upd'))?.version).toBe(2);
  });

  it('lists the latest version of each template of a kind and account, in pages', async () => {
    await template('l-a', 'list-a', 3, 'ent-list');
    await template('l-b', 'list-b', 1, 'ent-list');
    await template('l-c', 'list-c', 2, 'ent-list');
    await template('l-x', 'list-x', 2, 'ent-list', 'role');
    const first = await store.listLatest({ kind: 'policy', accountId: 'ent-list' }, { limit: 2 });
    expect(first.items.map((v) => [v.id, v.version])).toEqual([['l-a', 3], ['l-b', 1]]);
    expect(first.more).toBe(true);
    const second = await store.listLatest({ kind: 'policy', accountId: 'ent-list' }, { limit: 2, after: 'l-b' });
    expect(second.items.map((v) => [v.id, v.version])).toEqual([['l-c', 2]]);
    expect(second.more).toBe(false);
    const versions = await store.listVersions('l-a', { limit: 2, after: 1 });
    expect(versions.items.map((v) => v.version)).toEqual([2, 3]);
  });

  it('deletes versions; the template goes with its last one', async () => {
    await template('del', 'del', 2);
    expect((await writer.write((w) => store.deleteVersion(w.trx, 'del', 1))).value).toBe(true);
    expect((await writer.write((w) => store.deleteVersion(w.trx, 'del', 1))).value).toBe(false);
    expect(await store.getTemplate('del')).toBeDefined();
    await writer.write((w) => store.deleteVersion(w.trx, 'del', 2));
    expect(await store.getTemplate('del')).toBeUndefined();
    await template('del-all', 'del-all', 3);
    await writer.write((w) => store.deleteTemplate(w.trx, 'del-all'));
    expect(await store.latestVersion('del-all')).toBeUndefined();
  });

  it('keeps one assignment per template and target, and its resources per account', async () => {
    await template('asg', 'asg', 1);
    const results = await Promise.allSettled(
      ['a1', 'a2', 'a3'].map((id) => writer.write((w) => store.insertAssignment(w.trx, assignment(id, 'asg', 'child-1'), taken))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const winner = ['a1', 'a2', 'a3'][results.findIndex((r) => r.status === 'fulfilled')]!;
    await writer.write((w) => store.insertAssignment(w.trx, assignment('a4', 'asg', 'child-2'), taken));
    expect(await store.countAssignments('asg')).toBe(2);
    expect(await store.countAssignments('asg', 2)).toBe(0);

    const change = { status: 'succeeded' as const, lastModifiedAt: at(5), lastModifiedById: 'IBMid-1', entityTag: '2-b' };
    expect((await writer.write((w) => store.updateAssignment(w.trx, winner, 'stale', change))).value).toBe(false);
    expect((await writer.write((w) => store.updateAssignment(w.trx, winner, '1-a', change))).value).toBe(true);
    expect((await store.getAssignment(winner))?.status).toBe('succeeded');

    await writer.write((w) =>
      store.putResources(w.trx, winner, 'child-1', [
        { key: 'policy', resourceId: 'p1', version: 1, status: 'succeeded' },
        { key: 'role', version: 1, status: 'failed', error: { kind: 'conflict', code: 'c', message: 'm' } },
      ]),
    );
    await writer.write((w) => store.putResources(w.trx, winner, 'child-1', [{ key: 'policy', resourceId: 'p1', version: 2, status: 'succeeded' }]));
    expect(await store.resourcesOf(winner)).toEqual([{ assignmentId: winner, accountId: 'child-1', key: 'policy', resourceId: 'p1', version: 2, status: 'succeeded' }]);

    const listed = await store.listAssignments({ kind: 'policy', accountId: 'ent-1', templateId: 'asg' }, { limit: 1 });
    expect(listed.items).toHaveLength(1);
    expect(listed.more).toBe(true);
    expect((await store.listAssignments({ kind: 'policy', accountId: 'ent-1', target: 'child-2' }, { limit: 10 })).items.map((a) => a.id)).toEqual(['a4']);

    await writer.write((w) => store.deleteAssignment(w.trx, winner));
    expect(await store.getAssignment(winner)).toBeUndefined();
    expect(await store.resourcesOf(winner)).toEqual([]);
  });

  it('finds the assignments made to account groups', async () => {
    await template('grp', 'grp', 1);
    await writer.write((w) => store.insertAssignment(w.trx, { ...assignment('g1', 'grp', 'group-1'), targetType: 'AccountGroup' }, taken));
    await writer.write((w) => store.insertAssignment(w.trx, assignment('g2', 'grp', 'group-1'), taken));
    expect((await store.assignmentsToGroups(['group-1', 'group-9'])).map((a) => a.id)).toEqual(['g1']);
    expect(await store.assignmentsToGroups([])).toEqual([]);
  });

  it('knows which runs stopped: in progress without a heartbeat since the cut-off; one claim of one wins', async () => {
    await template('run', 'run', 1);
    const runIds = async (before: string) => (await store.staleRuns(before)).map((a) => a.id).filter((id) => id.startsWith('r'));
    await writer.write((w) => store.insertAssignment(w.trx, { ...assignment('r1', 'run', 'child-1'), lastModifiedAt: at(10) }, taken, 'node-a'));
    await writer.write((w) => store.insertAssignment(w.trx, { ...assignment('r2', 'run', 'child-2'), lastModifiedAt: at(10) }, taken, 'node-b'));
    await writer.write((w) => store.insertAssignment(w.trx, { ...assignment('r3', 'run', 'child-3'), lastModifiedAt: at(10) }, taken));
    await writer.write((w) => store.insertAssignment(w.trx, { ...assignment('r4', 'run', 'child-4'), status: 'succeeded' }, taken));
    expect(await runIds(at(5))).toEqual(['r3']);
    expect(await runIds(at(11))).toEqual(['r1', 'r2', 'r3']);

    await writer.write((w) => store.heartbeat(w.trx, 'node-a', at(20)));
    expect(await runIds(at(11))).toEqual(['r2', 'r3']);

    // A final status ends the run: no runner, no heartbeat, never stale.
    const done = { status: 'failed' as const, lastModifiedAt: at(21), lastModifiedById: 'system', entityTag: '2-a', runner: null };
    const claims = await Promise.all([1, 2, 3].map(() => writer.write((w) => store.updateAssignment(w.trx, 'r2', '1-a', done))));
    expect(claims.filter((c) => c.value)).toHaveLength(1);
    expect((await store.getAssignment('r2'))!.status).toBe('failed');
    await writer.write((w) => store.heartbeat(w.trx, 'node-b', at(30)));
    expect(await runIds(at(19))).toEqual(['r3']);

    // A new run takes the runner and starts its heartbeat at its modification time.
    await writer.write((w) => store.updateAssignment(w.trx, 'r2', '2-a', { status: 'in_progress', lastModifiedAt: at(40), lastModifiedById: 'IBMid-1', entityTag: '3-a', runner: 'node-c' }));
    expect(await runIds(at(39))).toEqual(['r1', 'r3']);
    expect(await runIds(at(41))).toEqual(['r1', 'r2', 'r3']);
  });
});
