import type { NewAccountInput } from '../accounts/service.js';
import type { AccountsStore } from '../accounts/store.js';
import type { Account } from '../accounts/types.js';
import type { MfaTrait } from '../identity/types.js';
import { isAllowed, type AccessTarget, type Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { limitOf } from '../kernel/cursor.js';
import { DomainError, invalid } from '../kernel/errors.js';
import { ids } from '../kernel/ids.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited, type AuditSubject } from '../store/audited.js';
import type { Write, Writer } from '../store/unit-of-work.js';
import { enterpriseCrn, parentOf } from './crn.js';
import { enterpriseErrors as errors } from './errors.js';
import type { OwnerServiceId, OwnerSetup } from './owner-setup.js';
import type { EnterpriseRow, EnterpriseStore, GroupRow, MemberRow, Slice, Window } from './store.js';
import { ENTERPRISE_LIMITS, type AccountGroup, type AccountTraits, type DocPage, type Enterprise, type EnterpriseAccount, type PageRequest } from './types.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** The MFA levels of an account (identity setting `mfa`), which trait `mfa` may name. */
const MFA_LEVELS: readonly MfaTrait[] = ['NONE', 'NONE_NO_ROPC', 'TOTP', 'TOTP4ALL', 'LEVEL1', 'LEVEL2', 'LEVEL3'];
/** A child account's MFA level when the creator passes no traits (IBM's default). */
const DEFAULT_MFA: MfaTrait = 'NONE_NO_ROPC';

/** Validates `traits` and fills in IBM's defaults. */
function traitsOf(input: { mfa?: string; enterpriseIamManaged?: boolean } | undefined): AccountTraits {
  const mfa = input?.mfa ?? DEFAULT_MFA;
  if (mfa !== '' && !(MFA_LEVELS as readonly string[]).includes(mfa)) throw errors.badMfa(mfa, MFA_LEVELS);
  return { mfa, enterpriseIamManaged: input?.enterpriseIamManaged ?? false };
}

export interface EnterpriseDeps {
  store: EnterpriseStore;
  accounts: Pick<AccountsStore, 'getAccount' | 'getUser' | 'getUserByLogin' | 'membershipState' | 'setAccountState'>;
  /** Creates an account, its owner membership and default resource group inside a write (accounts service). */
  createAccountIn: (w: Write, input: NewAccountInput, requestId: string) => Promise<{ account: Account }>;
  /**
   * Invites a new person as the owner of the account being created in `w`: the invitation users
   * are invited with (mailed secret, single use, expiring, bound to the account and e-mail).
   */
  inviteOwnerIn: (w: Write, actor: Actor, input: { accountId: string; accountName: string; iamId: string; email: string }) => Promise<unknown>;
  /** The owner-access service ID and the MFA setting of a new account (identity and policy domains). */
  ownerSetup: OwnerSetup;
  writer: Writer;
  clock: Clock;
  authorizer: Authorizer;
  /**
   * What follows an account arriving somewhere in the enterprise (created, imported or moved),
   * after its write commits: the template core applies the assignments made to the account groups
   * it now sits in. The registry fills the list once the templates domain exists.
   */
  onAccountJoined?: readonly ((actor: Actor, accountId: string) => Promise<void>)[];
}

type Kind = 'enterprise' | 'account-group' | 'account';

/**
 * Enterprise Management v1. An enterprise is created from an account, which becomes its
 * enterprise account (the root); account groups nest under the enterprise or another group; child
 * accounts are created in, imported into and moved within the enterprise. Every decision is an
 * `enterprise.<kind>.<verb>` action on the enterprise account.
 */
export function createEnterpriseService(deps: EnterpriseDeps) {
  const { store, accounts, clock, authorizer } = deps;
  const now = () => clock.now().toISOString();
  const joined = async (actor: Actor, accountId: string) => {
    for (const hook of deps.onAccountJoined ?? []) await hook(actor, accountId);
  };

  const target = (enterpriseAccountId: string, kind: Kind, id?: string): AccessTarget => ({
    accountId: enterpriseAccountId,
    serviceName: 'enterprise',
    resourceType: kind,
    ...(id ? { resource: id } : {}),
  });

  const allowed = (actor: Actor, action: string, t: AccessTarget) => isAllowed(authorizer, actor, action, t);

  const audited = createAudited(deps);

  const windowOf = (page: PageRequest): Window => {
    const limit = limitOf(page.limit, ENTERPRISE_LIMITS);
    return { limit, ...(page.nextDocid ? { after: page.nextDocid } : {}) };
  };

  /**
   * Reads pages until `limit` visible items are collected or the list ends; `next` is the docid to
   * continue after when more may follow.
   */
  async function visiblePage<R, T>(
    window: Window,
    read: (w: Window) => Promise<Slice<R>>,
    keyOf: (row: R) => string,
    show: (row: R) => Promise<T | undefined>,
  ): Promise<DocPage<T>> {
    const items: T[] = [];
    let after = window.after;
    for (;;) {
      const slice = await read({ limit: window.limit - items.length, ...(after ? { after } : {}) });
      for (const row of slice.items) {
        const item = await show(row);
        if (item) items.push(item);
      }
      const last = slice.items.at(-1);
      if (last) after = keyOf(last);
      if (!slice.more) return { items };
      if (items.length >= window.limit) return { items, ...(after ? { next: after } : {}) };
    }
  }

  // ── Shaping rows into domain objects ─────────────────────────────────────────────────────

  const toEnterprise = (row: EnterpriseRow): Enterprise => ({
    id: row.id,
    crn: enterpriseCrn(row.account_id, 'enterprise', row.id),
    accountId: row.account_id,
    name: row.name,
    domain: row.domain,
    state: 'ACTIVE',
    primaryContactIamId: row.primary_contact_iam_id,
    primaryContactEmail: row.contact_email,
    sourceAccountId: row.source_account_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
    updatedBy: row.updated_by,
  });

  /** `enterprise:<id>/account-group:<id>/…` down to (and excluding) the object under `parent`. */
  async function pathOf(parent: string): Promise<string> {
    const segments: string[] = [];
    let current = parentOf(parent);
    while (current?.type === 'account-group') {
      segments.unshift(`account-group:${current.id}`);
      const group = await store.getGroup(current.id);
      current = group && parentOf(group.parent);
    }
    if (current) segments.unshift(`enterprise:${current.id}`);
    return segments.join('/');
  }

  async function toGroup(row: GroupRow, enterpriseAccountId: string): Promise<AccountGroup> {
    return {
      id: row.id,
      crn: enterpriseCrn(enterpriseAccountId, 'account-group', row.id),
      enterpriseId: row.enterprise_id,
      enterpriseAccountId,
      parent: row.parent,
      path: `${await pathOf(row.parent)}/account-group:${row.id}`,
      name: row.name,
      state: row.state as AccountGroup['state'],
      primaryContactIamId: row.primary_contact_iam_id,
      primaryContactEmail: row.contact_email,
      createdAt: row.created_at,
      createdBy: row.created_by,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  async function toAccount(row: MemberRow, enterpriseAccountId: string): Promise<EnterpriseAccount> {
    return {
      id: row.account_id,
      crn: enterpriseCrn(enterpriseAccountId, 'account', row.account_id),
      enterpriseId: row.enterprise_id,
      enterpriseAccountId,
      parent: row.parent,
      path: `${await pathOf(row.parent)}/account:${row.account_id}`,
      name: row.name,
      state: row.state as EnterpriseAccount['state'],
      ownerIamId: row.owner_iam_id,
      ownerEmail: row.owner_email,
      isEnterpriseAccount: row.account_id === enterpriseAccountId,
      ...(row.mfa != null ? { traits: { mfa: row.mfa, enterpriseIamManaged: row.enterprise_iam_managed === 1 } } : {}),
      createdAt: row.created_at,
      createdBy: row.created_by,
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  // ── Lookups with visibility ──────────────────────────────────────────────────────────────

  /** The enterprise if the caller may retrieve it; not found otherwise (no existence leak). */
  async function readableEnterprise(actor: Actor, id: string): Promise<Enterprise> {
    const row = await store.getEnterprise(id);
    if (!row || !(await allowed(actor, 'enterprise.enterprise.retrieve', target(row.account_id, 'enterprise', id)))) {
      throw errors.enterpriseNotFound(id);
    }
    return toEnterprise(row);
  }

  async function readableGroup(actor: Actor, id: string): Promise<{ group: AccountGroup; enterprise: EnterpriseRow }> {
    const row = await store.getGroup(id);
    const enterprise = row && (await store.getEnterprise(row.enterprise_id));
    if (!row || !enterprise || !(await allowed(actor, 'enterprise.account-group.retrieve', target(enterprise.account_id, 'account-group', id)))) {
      throw errors.groupNotFound(id);
    }
    return { group: await toGroup(row, enterprise.account_id), enterprise };
  }

  async function readableAccount(actor: Actor, id: string): Promise<{ account: EnterpriseAccount; enterprise: EnterpriseRow }> {
    const row = await store.getMember(id);
    const enterprise = row && (await store.getEnterprise(row.enterprise_id));
    if (!row || !enterprise || !(await allowed(actor, 'enterprise.account.retrieve', target(enterprise.account_id, 'account', id)))) {
      throw errors.accountNotFound(id);
    }
    return { account: await toAccount(row, enterprise.account_id), enterprise };
  }

  /**
   * Resolves a `parent` CRN to its active enterprise or account group, checked against the
   * enterprise the CRN's scope names. `within` restricts it to one enterprise (moves).
   */
  async function resolveParent(parent: string, within?: string): Promise<EnterpriseRow> {
    const ref = parentOf(parent);
    let enterprise: EnterpriseRow | undefined;
    if (ref?.type === 'enterprise') {
      enterprise = await store.getEnterprise(ref.id);
    } else if (ref?.type === 'account-group') {
      const group = await store.getGroup(ref.id);
      enterprise = group && group.state === 'ACTIVE' ? await store.getEnterprise(group.enterprise_id) : undefined;
    }
    if (!ref || !enterprise || (within !== undefined && enterprise.id !== within)) throw errors.badParent(parent);
    if (parent !== enterpriseCrn(enterprise.account_id, ref.type, ref.id)) throw errors.badParent(parent);
    return enterprise;
  }

  async function checkContact(iamId: string, accountId: string) {
    if ((await accounts.membershipState(accountId, iamId)) !== 'ACTIVE') throw errors.unknownContact(iamId, accountId);
  }

  /**
   * The parent CRN a list filters by: `parent`, or the CRN of the named account group; null when
   * both are given and disagree (nothing can match).
   */
  async function parentFilter(parent: string | undefined, accountGroupId: string | undefined): Promise<string | undefined | null> {
    if (accountGroupId === undefined) return parent;
    const group = await store.getGroup(accountGroupId);
    const enterprise = group && (await store.getEnterprise(group.enterprise_id));
    const crn = enterprise ? enterpriseCrn(enterprise.account_id, 'account-group', accountGroupId) : 'none';
    return parent !== undefined && parent !== crn ? null : crn;
  }

  /** For one list call: the enterprise of an id when the actor may read its `kind`s, else undefined (memoized). */
  function readableEnterprises(actor: Actor, action: string, kind: Kind) {
    const enterprises = new Map<string, EnterpriseRow | undefined>();
    return async (enterpriseId: string) => {
      if (!enterprises.has(enterpriseId)) {
        const row = await store.getEnterprise(enterpriseId);
        enterprises.set(enterpriseId, row && (await allowed(actor, action, target(row.account_id, kind))) ? row : undefined);
      }
      return enterprises.get(enterpriseId);
    };
  }

  return {
    // ── Enterprises ──────────────────────────────────────────────────────────────────────────

    /** Makes `sourceAccountId` the enterprise account of a new enterprise. */
    async createEnterprise(actor: Actor, input: { sourceAccountId: string; name: string; primaryContactIamId: string; domain?: string }) {
      const subject: AuditSubject = { action: 'enterprise.enterprise.create', targetType: 'enterprise', targetId: '', accountId: input.sourceAccountId };
      return audited(actor, subject, async (commit, { authorize }) => {
        const source = await accounts.getAccount(input.sourceAccountId);
        if (!source) throw errors.accountNotFound(input.sourceAccountId);
        await authorize('enterprise.enterprise.create', { accountId: source.id, serviceName: 'enterprise' });
        await checkContact(input.primaryContactIamId, source.id);
        const value = await commit(async (w) => {
          const at = now();
          const by = actor.principal.iamId;
          const id = ids.hex32();
          await store.insertEnterprise(w.trx, {
            id,
            account_id: source.id,
            name: input.name,
            domain: input.domain ?? null,
            state: 'ACTIVE',
            primary_contact_iam_id: input.primaryContactIamId,
            source_account_id: source.id,
            created_at: at,
            created_by: by,
            updated_at: at,
            updated_by: by,
          });
          const crn = enterpriseCrn(source.id, 'enterprise', id);
          await store.insertMember(w.trx, { account_id: source.id, enterprise_id: id, parent: crn, state: 'ACTIVE', created_at: at, created_by: by, updated_at: at, updated_by: by });
          w.changed({ entity: 'enterprise', entityId: id, accountId: source.id, op: 'create' });
          Object.assign(subject, { accountId: source.id, targetId: id, detail: { name: input.name } });
          return { enterpriseId: id, enterpriseAccountId: source.id };
        });
        return value;
      });
    },

    async listEnterprises(actor: Actor, filter: { enterpriseAccountId?: string; accountGroupId?: string; accountId?: string }, page: PageRequest) {
      let idsFilter: string[] | undefined;
      if (filter.accountGroupId !== undefined) idsFilter = [(await store.getGroup(filter.accountGroupId))?.enterprise_id ?? ''];
      if (filter.accountId !== undefined) {
        const of = await store.enterprisesOfAccount(filter.accountId);
        idsFilter = idsFilter ? idsFilter.filter((id) => of.includes(id)) : of;
      }
      return visiblePage(
        windowOf(page),
        (w) => store.listEnterprises({ accountId: filter.enterpriseAccountId, ids: idsFilter }, w),
        (row) => row.id,
        async (row) =>
          (await allowed(actor, 'enterprise.enterprise.retrieve', target(row.account_id, 'enterprise', row.id))) ? toEnterprise(row) : undefined,
      );
    },

    getEnterprise: readableEnterprise,

    async updateEnterprise(actor: Actor, id: string, input: { name?: string; domain?: string; primaryContactIamId?: string }) {
      const subject: AuditSubject = { action: 'enterprise.enterprise.update', targetType: 'enterprise', targetId: id, accountId: null };
      await audited(actor, subject, async (commit, { authorize }) => {
        const enterprise = await readableEnterprise(actor, id);
        subject.accountId = enterprise.accountId;
        await authorize('enterprise.enterprise.update', target(enterprise.accountId, 'enterprise', id));
        if (input.primaryContactIamId !== undefined) await checkContact(input.primaryContactIamId, enterprise.accountId);
        await commit(async (w) => {
          await store.updateEnterprise(w.trx, id, {
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.domain !== undefined ? { domain: input.domain } : {}),
            ...(input.primaryContactIamId !== undefined ? { primary_contact_iam_id: input.primaryContactIamId } : {}),
            updated_at: now(),
            updated_by: actor.principal.iamId,
          });
          w.changed({ entity: 'enterprise', entityId: id, accountId: enterprise.accountId, op: 'update' });
          Object.assign(subject, { accountId: enterprise.accountId, targetId: id });
        });
      });
    },

    /**
     * Imports a stand-alone account into the enterprise, under `parent` (default: the enterprise).
     * The caller must be allowed to import into the enterprise and own the imported account.
     */
    async importAccount(actor: Actor, enterpriseId: string, accountId: string, input: { parent?: string }) {
      const subject: AuditSubject = { action: 'enterprise.enterprise.import', targetType: 'account', targetId: accountId, accountId: null };
      await audited(actor, subject, async (commit, { authorize }) => {
        const enterprise = await readableEnterprise(actor, enterpriseId);
        subject.accountId = enterprise.accountId;
        await authorize('enterprise.enterprise.import', target(enterprise.accountId, 'enterprise', enterpriseId));
        const account = await accounts.getAccount(accountId);
        if (!account) throw errors.accountNotFound(accountId);
        if (account.ownerIamId !== actor.principal.iamId) throw errors.notOwnerOfImported(accountId);
        const parent = input.parent ?? enterprise.crn;
        await resolveParent(parent, enterpriseId);
        await commit(async (w) => {
          const at = now();
          const by = actor.principal.iamId;
          await store.insertMember(w.trx, { account_id: accountId, enterprise_id: enterpriseId, parent, state: 'ACTIVE', created_at: at, created_by: by, updated_at: at, updated_by: by });
          w.changed({ entity: 'enterprise_account', entityId: accountId, accountId: enterprise.accountId, op: 'create' });
          Object.assign(subject, { accountId: enterprise.accountId, targetId: accountId, detail: { enterprise_id: enterpriseId } });
        });
      });
      await joined(actor, accountId);
    },

    // ── Accounts ─────────────────────────────────────────────────────────────────────────────

    /**
     * Creates a child account under `parent`, owned by `ownerIamId`: an existing user's IAM id or
     * login, who simply becomes the owner (they reach it with their own credentials), or the
     * e-mail address of a new person, who is made a user and invited as the owner — the invitation
     * reaches them only, by e-mail, and accepting it sets their first credential. The caller never
     * receives a credential of the owner. With `ownerServiceId`
     * (`options.create_iam_service_id_with_apikey_and_owner_policies`) the account also gets a
     * service ID with the owner's access, whose one API key is returned to the caller, once: the
     * credential IBM hands out for setting up a new account. `traits` are validated before anything
     * is written; a non-empty `mfa` becomes the account's identity setting. The MFA setting and the
     * service ID are made after the account's write commits, through their own domains' operations;
     * should one of them fail, the account stays created and the error is returned.
     */
    async createAccount(
      actor: Actor,
      input: { parent: string; name: string; ownerIamId: string; traits?: { mfa?: string; enterpriseIamManaged?: boolean }; ownerServiceId?: boolean },
    ): Promise<{ accountId: string; ownerIamId: string; serviceId?: OwnerServiceId }> {
      const subject: AuditSubject = { action: 'enterprise.account.create', targetType: 'account', targetId: '', accountId: null };
      const traits = traitsOf(input.traits);
      const value = await audited(actor, subject, async (commit, { authorize }) => {
        const enterprise = await resolveParent(input.parent);
        subject.accountId = enterprise.account_id;
        await authorize('enterprise.account.create', target(enterprise.account_id, 'account'));
        return commit(async (w) => {
          const existing = (await accounts.getUser(input.ownerIamId, w.trx)) ?? (EMAIL.test(input.ownerIamId) ? await accounts.getUserByLogin(input.ownerIamId, w.trx) : undefined);
          if (!existing && !EMAIL.test(input.ownerIamId)) throw errors.unknownOwner(input.ownerIamId);
          const invited = existing ? undefined : input.ownerIamId;
          const { account } = await deps.createAccountIn(
            w,
            {
              name: input.name,
              owner: existing ? { iamId: existing.iamId } : { userId: input.ownerIamId },
              initiator: { iamId: actor.principal.iamId, accountId: actor.principal.accountId },
              ownerJoins: invited ? 'by-invitation' : 'now',
            },
            actor.requestId,
          );
          const at = now();
          const by = actor.principal.iamId;
          await store.insertMember(w.trx, {
            account_id: account.id,
            enterprise_id: enterprise.id,
            parent: input.parent,
            state: 'ACTIVE',
            created_at: at,
            created_by: by,
            updated_at: at,
            updated_by: by,
            mfa: traits.mfa,
            enterprise_iam_managed: traits.enterpriseIamManaged ? 1 : 0,
          });
          if (invited) await deps.inviteOwnerIn(w, actor, { accountId: account.id, accountName: account.name, iamId: account.ownerIamId, email: invited });
          w.changed({ entity: 'enterprise_account', entityId: account.id, accountId: enterprise.account_id, op: 'create' });
          Object.assign(subject, { accountId: enterprise.account_id, targetId: account.id, detail: {
            enterprise_id: enterprise.id,
            owner_iam_id: account.ownerIamId,
            owner_invited: invited !== undefined,
            traits: { mfa: traits.mfa, enterprise_iam_managed: traits.enterpriseIamManaged },
            owner_service_id: input.ownerServiceId === true,
          } });
          return { accountId: account.id, ownerIamId: account.ownerIamId };
        });
      });
      // What follows is done on the owner's authority (their built-in rights in the new account),
      // through the identity and policy domains' own audited operations, under this request's id.
      const owner: Actor = {
        principal: { iamId: value.ownerIamId, kind: 'user', accountId: value.accountId, name: `account creation by ${actor.principal.iamId}` },
        requestId: actor.requestId,
      };
      if (traits.mfa !== '') await deps.ownerSetup.setMfa(owner, value.accountId, traits.mfa as MfaTrait);
      await joined(actor, value.accountId);
      if (!input.ownerServiceId) return value;
      return { ...value, serviceId: await deps.ownerSetup.createOwnerServiceId(owner, value.accountId) };
    },

    async listAccounts(
      actor: Actor,
      filter: { enterpriseId?: string; accountGroupId?: string; parent?: string; includeDeleted?: boolean },
      page: PageRequest,
    ) {
      const parent = await parentFilter(filter.parent, filter.accountGroupId);
      if (parent === null) return { items: [] };
      const visibleIn = readableEnterprises(actor, 'enterprise.account.retrieve', 'account');
      return visiblePage(
        windowOf(page),
        (w) => store.listMembers({ enterpriseId: filter.enterpriseId, parent, includeDeleted: filter.includeDeleted }, w),
        (row) => row.account_id,
        async (row) => {
          const enterprise = await visibleIn(row.enterprise_id);
          return enterprise && toAccount(row, enterprise.account_id);
        },
      );
    },

    async getAccount(actor: Actor, id: string) {
      return (await readableAccount(actor, id)).account;
    },

    /** Moves an account to another parent within its enterprise. */
    async moveAccount(actor: Actor, id: string, parent: string) {
      const subject: AuditSubject = { action: 'enterprise.account.move', targetType: 'account', targetId: id, accountId: null };
      await audited(actor, subject, async (commit, { authorize }) => {
        const { account, enterprise } = await readableAccount(actor, id);
        subject.accountId = enterprise.account_id;
        await authorize('enterprise.account.move', target(enterprise.account_id, 'account', id));
        if (account.isEnterpriseAccount) throw errors.enterpriseAccount(id);
        if (account.state !== 'ACTIVE') throw errors.accountNotFound(id);
        await resolveParent(parent, enterprise.id);
        await commit(async (w) => {
          await store.updateMember(w.trx, id, { parent, updated_at: now(), updated_by: actor.principal.iamId });
          w.changed({ entity: 'enterprise_account', entityId: id, accountId: enterprise.account_id, op: 'update' });
          Object.assign(subject, { accountId: enterprise.account_id, targetId: id, detail: { parent } });
        });
      });
      await joined(actor, id);
    },

    /** Deletes a child account: it leaves the enterprise's lists (include_deleted shows it) and is suspended. */
    async deleteAccount(actor: Actor, id: string) {
      const subject: AuditSubject = { action: 'enterprise.account.delete', targetType: 'account', targetId: id, accountId: null };
      await audited(actor, subject, async (commit, { authorize }) => {
        const { account, enterprise } = await readableAccount(actor, id);
        subject.accountId = enterprise.account_id;
        await authorize('enterprise.account.delete', target(enterprise.account_id, 'account', id));
        if (account.isEnterpriseAccount) throw errors.enterpriseAccount(id);
        if (account.state !== 'ACTIVE') throw errors.accountNotFound(id);
        await commit(async (w) => {
          const at = now();
          await store.updateMember(w.trx, id, { state: 'DELETED', updated_at: at, updated_by: actor.principal.iamId });
          await accounts.setAccountState(w.trx, id, 'SUSPENDED', at);
          w.changed({ entity: 'enterprise_account', entityId: id, accountId: enterprise.account_id, op: 'delete' });
          w.changed({ entity: 'account', entityId: id, accountId: id, op: 'update' });
          Object.assign(subject, { accountId: enterprise.account_id, targetId: id });
        });
      });
    },

    // ── Account groups ───────────────────────────────────────────────────────────────────────

    async createAccountGroup(actor: Actor, input: { parent: string; name: string; primaryContactIamId: string }) {
      const subject: AuditSubject = { action: 'enterprise.account-group.create', targetType: 'account-group', targetId: '', accountId: null };
      return audited(actor, subject, async (commit, { authorize }) => {
        const enterprise = await resolveParent(input.parent);
        subject.accountId = enterprise.account_id;
        await authorize('enterprise.account-group.create', target(enterprise.account_id, 'account-group'));
        await checkContact(input.primaryContactIamId, enterprise.account_id);
        const value = await commit(async (w) => {
          const at = now();
          const by = actor.principal.iamId;
          const id = ids.hex32();
          await store.insertGroup(w.trx, {
            id,
            enterprise_id: enterprise.id,
            parent: input.parent,
            name: input.name,
            state: 'ACTIVE',
            primary_contact_iam_id: input.primaryContactIamId,
            created_at: at,
            created_by: by,
            updated_at: at,
            updated_by: by,
          });
          w.changed({ entity: 'account_group', entityId: id, accountId: enterprise.account_id, op: 'create' });
          Object.assign(subject, { accountId: enterprise.account_id, targetId: id, detail: { name: input.name } });
          return id;
        });
        return value;
      });
    },

    async listAccountGroups(
      actor: Actor,
      filter: { enterpriseId?: string; parentAccountGroupId?: string; parent?: string; includeDeleted?: boolean },
      page: PageRequest,
    ) {
      const parent = await parentFilter(filter.parent, filter.parentAccountGroupId);
      if (parent === null) return { items: [] };
      const visibleIn = readableEnterprises(actor, 'enterprise.account-group.retrieve', 'account-group');
      return visiblePage(
        windowOf(page),
        (w) => store.listGroups({ enterpriseId: filter.enterpriseId, parent, includeDeleted: filter.includeDeleted }, w),
        (row) => row.id,
        async (row) => {
          const enterprise = await visibleIn(row.enterprise_id);
          return enterprise && toGroup(row, enterprise.account_id);
        },
      );
    },

    async getAccountGroup(actor: Actor, id: string) {
      return (await readableGroup(actor, id)).group;
    },

    async updateAccountGroup(actor: Actor, id: string, input: { name?: string; primaryContactIamId?: string }) {
      const subject: AuditSubject = { action: 'enterprise.account-group.update', targetType: 'account-group', targetId: id, accountId: null };
      await audited(actor, subject, async (commit, { authorize }) => {
        const { group, enterprise } = await readableGroup(actor, id);
        subject.accountId = enterprise.account_id;
        if (group.state !== 'ACTIVE') throw errors.groupNotFound(id);
        await authorize('enterprise.account-group.update', target(enterprise.account_id, 'account-group', id));
        if (input.name !== undefined && !input.name.trim()) throw invalid('name must not be empty.');
        if (input.primaryContactIamId !== undefined) await checkContact(input.primaryContactIamId, enterprise.account_id);
        await commit(async (w) => {
          await store.updateGroup(w.trx, id, {
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.primaryContactIamId !== undefined ? { primary_contact_iam_id: input.primaryContactIamId } : {}),
            updated_at: now(),
            updated_by: actor.principal.iamId,
          });
          w.changed({ entity: 'account_group', entityId: id, accountId: enterprise.account_id, op: 'update' });
          Object.assign(subject, { accountId: enterprise.account_id, targetId: id });
        });
      });
    },

    /** Deletes an empty account group (no live accounts or groups directly under it). */
    async deleteAccountGroup(actor: Actor, id: string) {
      const subject: AuditSubject = { action: 'enterprise.account-group.delete', targetType: 'account-group', targetId: id, accountId: null };
      await audited(actor, subject, async (commit, { authorize }) => {
        const { group, enterprise } = await readableGroup(actor, id);
        subject.accountId = enterprise.account_id;
        if (group.state !== 'ACTIVE') throw errors.groupNotFound(id);
        await authorize('enterprise.account-group.delete', target(enterprise.account_id, 'account-group', id));
        await commit(async (w) => {
          if ((await store.countChildren(w.trx, group.crn)) > 0) throw errors.notEmpty(id);
          await store.updateGroup(w.trx, id, { state: 'DELETED', updated_at: now(), updated_by: actor.principal.iamId });
          w.changed({ entity: 'account_group', entityId: id, accountId: enterprise.account_id, op: 'delete' });
          Object.assign(subject, { accountId: enterprise.account_id, targetId: id });
        });
      });
    },
  };
}

export type EnterpriseService = ReturnType<typeof createEnterpriseService>;
