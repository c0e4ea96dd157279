import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { role, v1Access, v2Access } from './helpers.js';
import { type Caller, addMember, ownerOf } from '../helpers/callers.js';

/** The store reads the decision point relies on (src/policies/index.ts), on SQLite and PostgreSQL. */

let server: TestServer;
let owner: Caller;
let member: Caller;

beforeAll(async () => {
  server = await startTestServer();
  owner = ownerOf(server);
  member = await addMember(server, owner.accountId);
});
afterAll(() => server?.close());

describe('policy store for the decision point', () => {
  it('listActivePolicies yields every active policy once, in bounded batches; get returns any state', async () => {
    const { stores } = server.server.registry.policyManagement;
    const made: string[] = [];
    for (const serviceName of ['kms', 'is', 'billing', 'support', 'cloudshell']) {
      made.push((await owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { serviceName }))).result.id!);
    }
    await owner.policies.deletePolicy({ policyId: made[2]! });
    const batches: string[][] = [];
    for await (const batch of stores.policies.listActivePolicies(2)) batches.push(batch.map((p) => p.id));
    expect(batches.every((b) => b.length <= 2)).toBe(true);
    expect(batches.flat().sort()).toEqual(made.filter((_, i) => i !== 2).sort());

    const deleted = await stores.policies.get(made[2]!);
    expect(deleted).toMatchObject({ id: made[2], state: 'deleted', accountId: owner.accountId, subject: { kind: 'iam_id', iamId: member.iamId } });
    expect(deleted?.resource).toEqual([{ key: 'serviceName', operator: 'stringEquals', value: 'billing' }]);
  });

  it('stores rules and patterns as the decision point model', async () => {
    const rule = { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: [6, 7] };
    const created = await owner.policies.createV2Policy({
      ...v2Access(owner.accountId, member.iamId, { serviceName: 'project' }, [role('Viewer')]),
      pattern: 'time-based-conditions:weekly:all-day',
      rule,
    });
    const stored = await server.server.registry.policyManagement.stores.policies.get(created.result.id!);
    expect(stored).toMatchObject({ rule, pattern: 'time-based-conditions:weekly:all-day', roles: [role('Viewer')], tags: [] });
  });

  it('every policy change is on the change feed', async () => {
    const created = await owner.policies.createPolicy(v1Access(owner.accountId, member.iamId, { serviceName: 'entitlement' }));
    const id = created.result.id!;
    const replaced = await owner.policies.replacePolicy({ policyId: id, ifMatch: created.headers.etag!, ...v1Access(owner.accountId, member.iamId, { serviceName: 'entitlement' }, [role('Editor')]) });
    await owner.policies.updatePolicyState({ policyId: id, ifMatch: replaced.headers.etag!, state: 'deleted' });
    const { db } = server.server.registry.database;
    const rows = await db.selectFrom('changes').select(['op', 'account_id']).where('entity', '=', 'policy').where('entity_id', '=', id).orderBy('revision').execute();
    expect(rows).toEqual([
      { op: 'create', account_id: owner.accountId },
      { op: 'update', account_id: owner.accountId },
      { op: 'delete', account_id: owner.accountId },
    ]);
  });

  it('retireSubjectIn deletes a leaving identity\'s policies inside another write, on the feed', async () => {
    const { registry } = server.server;
    const leaving = await addMember(server, owner.accountId);
    const made = [
      (await owner.policies.createPolicy(v1Access(owner.accountId, leaving.iamId, { serviceName: 'kms' }))).result.id!,
      (await owner.policies.createV2Policy(v2Access(owner.accountId, leaving.iamId, { serviceName: 'is' }))).result.id!,
    ];
    const { value } = await registry.writer.write((w) => registry.policyManagement.policies.retireSubjectIn(w, owner.accountId, leaving.iamId, owner.iamId));
    expect(value.sort()).toEqual([...made].sort());
    expect((await owner.policies.listPolicies({ accountId: owner.accountId, iamId: leaving.iamId })).result.policies).toEqual([]);
    const retired = await owner.policies.getPolicy({ policyId: made[0]! });
    expect(retired.result).toMatchObject({ state: 'deleted', last_modified_by_id: owner.iamId });
    expect(retired.headers.etag).toMatch(/^2-/);
  });
});
