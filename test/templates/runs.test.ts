import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../src/kernel/errors.js';
import { systemClock } from '../../src/kernel/clock.js';
import type { Actor } from '../../src/kernel/principal.js';
import { createWriter } from '../../src/store/unit-of-work.js';
import { createTemplatesCore, type TemplatesCore } from '../../src/templates/core.js';
import { createTemplateStore, type TemplateStore } from '../../src/templates/store.js';
import type { TemplateKind } from '../../src/templates/types.js';
import { openStore, type StoreFixture } from '../conformance/support.js';

/**
 * The template core's run heartbeats, on both databases: a run that is still going renews its
 * assignment's heartbeat, so a recovery sweep past the lease leaves it alone; once its process
 * has stopped renewing (another core on the same database, which runs nothing), a sweep fails it.
 * The kind is a test kind whose authorization waits for the test to let it go (the one plug-in
 * point a run waits on outside the database).
 */

const LEASE_MS = 1_000;
const actor: Actor = { principal: { iamId: 'IBMid-runner', kind: 'user', accountId: 'ent-1', name: 'runner' }, requestId: 'test' };
const fail = (message: string) => new DomainError('invalid', 'invalid', message);

let fixture: StoreFixture;
let store: TemplateStore;
let gate: Promise<void>;
let open!: () => void;

/** A kind that makes nothing and whose every apply waits for `open()`. */
const gatedKind: TemplateKind<Record<string, never>> = {
  name: 'gated',
  actions: { template: 't', assignment: 'a', serviceName: 's', resourceType: 'r', assignmentType: 'ra' },
  validate: async () => ({}),
  authorize: async () => gate,
  apply: async () => [{ key: 'thing', resourceId: 'thing-1' }],
  remove: async () => {},
  drift: async () => [],
  committedError: () => fail('committed'),
  invalidError: fail,
  nameTakenError: fail,
  notFoundError: () => fail('not found'),
  assignmentNotFoundError: () => fail('no assignment'),
};

function coreOn(database: StoreFixture['database']): TemplatesCore {
  return createTemplatesCore({
    store: createTemplateStore(database.db),
    writer: createWriter(database.db),
    clock: systemClock,
    authorizer: { authorize: async () => {} },
    directory: { enterpriseOfAccount: async () => 'ent', accountsOf: async () => ['child-1'], groupsAbove: async () => undefined },
    runLeaseMs: LEASE_MS,
  });
}

beforeAll(async () => {
  fixture = await openStore();
  store = createTemplateStore(fixture.database.db);
  const writer = createWriter(fixture.database.db);
  await writer.write(async (w) => {
    await store.insertTemplate(w.trx, { id: 'gated-1', kind: 'gated', accountId: 'ent-1', name: 'g', createdAt: new Date().toISOString(), createdById: 'IBMid-runner' }, () => fail('taken'));
    const version = (await store.allocateVersion(w.trx, 'gated-1'))!;
    const at = new Date().toISOString();
    await store.insertVersion(w.trx, { id: 'gated-1', version, kind: 'gated', accountId: 'ent-1', name: 'g', body: {}, committed: true, state: 'active', createdAt: at, createdById: 'x', lastModifiedAt: at, lastModifiedById: 'x', entityTag: '1-a' });
  });
});
afterAll(async () => fixture?.close());

describe('assignment run heartbeats', () => {
  it('keep a live run from being taken for stopped; a run nobody renews is failed past the lease', async () => {
    const running = coreOn(fixture.database);
    const other = coreOn(fixture.reopen());
    const ops = running.register(gatedKind).assignments;
    other.register(gatedKind);
    await running.start();
    await other.start();
    gate = new Promise<void>((resolve) => (open = resolve));

    const { assignment, settled } = await ops.assign(actor, { templateId: 'gated-1', templateVersion: 1, targetType: 'Account', target: 'child-1' });
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 3));
    // Both nodes have swept several times by now; the run's own node kept its heartbeat fresh.
    expect((await store.getAssignment(assignment.id))!.status).toBe('in_progress');
    expect(await other.recover()).toBe(0);

    open();
    expect((await settled).assignment.status).toBe('succeeded');

    // The same run on a node that stops renewing it: the other node fails it once the lease has passed.
    gate = new Promise<void>((resolve) => (open = resolve));
    const current = (await store.getAssignment(assignment.id))!;
    const again = await ops.update(actor, assignment.id, current.entityTag, 1);
    running.stop();
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 2));
    expect((await store.getAssignment(assignment.id))!.status).toBe('failed');
    expect(await store.resourcesOf(assignment.id)).toContainEqual(expect.objectContaining({ key: 'interrupted', status: 'failed', error: expect.objectContaining({ code: 'assignment_interrupted' }) }));
    other.stop();
    open();
    await again.settled;
    await running.idle();
  });
});
