import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/main.js';
import type { Caller } from '../helpers/callers.js';
import { testDialect } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildEnterprise, settle, type TemplateWorld } from '../templates/enterprise.js';

/**
 * Template assignment runs and crashes: a process that stops mid-run leaves its assignment in
 * progress, with a heartbeat that no longer moves. The rows are put in exactly that state (a run
 * is milliseconds long: a kill cannot be aimed inside one); then new nodes on the same database
 * start and sweep for stopped runs at the same moment (two on PostgreSQL). One of them claims the
 * assignment and fails it, saying in each unfinished account why and how to retry; the retry (an
 * update to the same version) applies it. (That a live run's heartbeat keeps it from being taken
 * is test/templates/runs.test.ts.)
 */

const LEASE_MS = 5_000;

let server: TestServer;
const others: RunningServer[] = [];
let world: TemplateWorld;
let root: Caller;

beforeAll(async () => {
  server = await startTestServer({ config: { templates: { runLeaseMs: LEASE_MS } } });
  world = await buildEnterprise(server);
  root = world.root;
});
afterAll(async () => {
  for (const node of others) await node.close();
  await server?.close();
});

const group = (name: string) => ({ name, members: { users: ['IBMid-1000CRASHUSR'] } });
const groupsNamed = async (child: Caller, name: string) =>
  (await child.groups.listAccessGroups({ accountId: child.accountId, hidePublicAccess: true })).result.groups!.filter((g) => g.name === name);

describe('assignment runs left by a stopped process', () => {
  it('are failed by exactly one of the nodes sweeping together, say why per account, and succeed when retried', async () => {
    const t = await root.groups.createTemplate({ name: 'Survivors', accountId: root.accountId, group: group('Survivors') });
    const templateId = t.result.id!;
    await root.groups.commitTemplate({ templateId, versionNum: '1', ifMatch: t.headers.etag! });
    const v2 = await root.groups.createTemplateVersion({ templateId, group: { ...group('Survivors'), description: 'second' } });
    await root.groups.commitTemplate({ templateId, versionNum: '2', ifMatch: v2.headers.etag! });
    const created = await root.groups.createAssignment({ templateId, templateVersion: '1', targetType: 'AccountGroup', target: world.accountGroupId });
    const assignmentId = created.result.id!;
    await settle(() => root.groups.getAssignment({ assignmentId }));

    // The process died while moving the assignment to version 2: child A was done, child B not yet.
    // (This node stops sweeping: the two nodes that start next are the ones that find it.)
    server.server.registry.templates.stop();
    const { db } = server.server.registry.database;
    const stale = new Date(Date.now() - 60_000).toISOString();
    await db
      .updateTable('template_assignments')
      .set({ status: 'in_progress', operation: 'update', template_version: 2, runner: 'runner-of-a-dead-process', heartbeat_at: stale, entity_tag: '9-00000000000000000000000000000000' })
      .where('id', '=', assignmentId)
      .execute();
    await db.updateTable('template_assignment_resources').set({ version: 2 }).where('assignment_id', '=', assignmentId).where('account_id', '=', world.childA.accountId).execute();
    expect((await root.groups.getAssignment({ assignmentId })).result.status).toBe('in_progress');
    // While it is in progress nobody can touch it.
    expect((await root.groups.updateAssignment({ assignmentId, ifMatch: '*', templateVersion: '2' }).catch((e: { status: number }) => e)).status).toBe(409);

    // The next nodes start at once on the same database (two on PostgreSQL, the scale-out database;
    // one on a SQLite file, which one process serves); each sweeps on start.
    const nodes = testDialect() === 'postgres' ? 2 : 1;
    others.push(...(await Promise.all(Array.from({ length: nodes }, () => startServer({ ...server.server.registry.config, port: 0 })))));
    const claims = await db.selectFrom('audit_events').select('detail').where('target_id', '=', assignmentId).where('initiator_iam_id', '=', 'system').execute();
    expect(claims).toHaveLength(1);
    expect(JSON.parse(claims[0]!.detail)).toMatchObject({ interrupted: 'update' });

    const failed = await root.groups.getAssignment({ assignmentId });
    expect(failed.result).toMatchObject({ status: 'failed', template_version: '2' });
    const byTarget = Object.fromEntries(failed.result.resources!.map((r) => [r.target, r.group!.group]));
    // Child A's rows say version 2 (the fake above) while its group is still version 1's: done there, and drifted.
    expect(byTarget[world.childA.accountId]).toMatchObject({ status: 'drifted', error: '' });
    expect(byTarget[world.childB.accountId]).toMatchObject({ status: 'failed' });
    expect(byTarget[world.childB.accountId]!.error).toContain('assignment_interrupted');
    expect(byTarget[world.childB.accountId]!.error).toContain('update the assignment');
    // Nothing claims it again.
    expect(await others[0]!.registry.templates.recover()).toBe(0);

    // The first node is back at its heartbeats for the retry it runs.
    await server.server.registry.templates.start();
    const retried = await root.groups.updateAssignment({ assignmentId, ifMatch: failed.headers.etag!, templateVersion: '2' });
    expect(retried.status).toBe(202);
    const done = await settle(() => root.groups.getAssignment({ assignmentId }));
    if (done === 'gone') throw new Error('gone');
    expect(done.status).toBe('succeeded');
    for (const child of [world.childA, world.childB]) expect((await groupsNamed(child, 'Survivors'))[0]!.description).toBe('second');
  }, 120_000);

  it('a removal left in progress is failed the same way and removed when deleted again', async () => {
    const t = await root.groups.createTemplate({ name: 'Leaving', accountId: root.accountId, group: group('Leaving') });
    await root.groups.commitTemplate({ templateId: t.result.id!, versionNum: '1', ifMatch: t.headers.etag! });
    const created = await root.groups.createAssignment({ templateId: t.result.id!, templateVersion: '1', targetType: 'Account', target: world.childA.accountId });
    const assignmentId = created.result.id!;
    await settle(() => root.groups.getAssignment({ assignmentId }));
    const { db } = server.server.registry.database;
    await db
      .updateTable('template_assignments')
      .set({ status: 'in_progress', operation: 'remove', runner: 'runner-of-a-dead-process', heartbeat_at: null })
      .where('id', '=', assignmentId)
      .execute();

    expect(await others[0]!.registry.templates.recover()).toBe(1);
    const failed = await root.groups.getAssignment({ assignmentId });
    expect(failed.result.status).toBe('failed');
    expect(failed.result.resources![0]!.group!.group.error).toContain('delete the assignment again');
    expect(await groupsNamed(world.childA, 'Leaving')).toHaveLength(1);

    expect((await root.groups.deleteAssignment({ assignmentId })).status).toBe(202);
    expect(await settle(() => root.groups.getAssignment({ assignmentId }))).toBe('gone');
    expect(await groupsNamed(world.childA, 'Leaving')).toHaveLength(0);
  });
});
