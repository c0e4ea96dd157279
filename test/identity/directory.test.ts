import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IdentityDirectory } from '../../src/identity/directory.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createServiceId } from '../access-groups/helpers.js';
import { addMember, createOtherAccount, ownerOf, type Caller } from '../helpers/callers.js';

let server: TestServer;
let directory: IdentityDirectory;
let owner: Caller;
let other: Caller;

beforeAll(async () => {
  server = await startTestServer();
  directory = server.server.registry.directory;
  owner = ownerOf(server);
  other = await createOtherAccount(server);
});
afterAll(() => server?.close());

describe('identity directory: which ids are identities of an account, and of which kind', () => {
  it('a user of the account is a member user; a user IAM id unknown to it is still a user, not a member', async () => {
    const alice = await addMember(server, owner.accountId);
    expect(await directory.identityOf(owner.accountId, alice.iamId)).toEqual({ kind: 'user', member: true });
    expect(await directory.identityOf(owner.accountId, 'IBMid-NOTYETMEMBER1')).toEqual({ kind: 'user', member: false });
    expect(await directory.identityOf(other.accountId, alice.iamId)).toEqual({ kind: 'user', member: false });
  });

  it('a service ID is an identity of its own account only, and says whether it is locked', async () => {
    const sid = await createServiceId(server, owner, 'directory-probe');
    expect(await directory.identityOf(owner.accountId, sid.iam_id!)).toEqual({ kind: 'serviceid', locked: false });
    expect(await directory.identityOf(other.accountId, sid.iam_id!)).toBeUndefined();
    expect(await directory.identityOf(owner.accountId, 'iam-ServiceId-00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('an access group is one of its own account (Public Access of every account); others are not', async () => {
    const group = (await owner.groups.createAccessGroup({ accountId: owner.accountId, name: 'Directory probe' })).result.id!;
    expect(await directory.identityOf(owner.accountId, group)).toEqual({ kind: 'access_group' });
    expect(await directory.identityOf(other.accountId, group)).toBeUndefined();
    expect(await directory.identityOf(other.accountId, 'AccessGroupId-PublicAccess')).toEqual({ kind: 'access_group' });
    expect(await directory.identityOf(owner.accountId, 'AccessGroupId-00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('a trusted profile is an identity of its own account only; unknown and malformed ids are none', async () => {
    const profile = (await owner.identity.createProfile({ accountId: owner.accountId, name: 'directory probe' })).result;
    expect(await directory.identityOf(owner.accountId, profile.iam_id)).toEqual({ kind: 'profile' });
    expect(await directory.identityOf(other.accountId, profile.iam_id)).toBeUndefined();
    expect(await directory.identityOf(owner.accountId, 'iam-Profile-00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await directory.identityOf(owner.accountId, 'iam-Nonsense')).toBeUndefined();
    expect(await directory.identityOf(owner.accountId, '')).toBeUndefined();
  });
});
