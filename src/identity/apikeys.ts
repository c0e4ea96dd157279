import { forbidden, invalid } from '../kernel/errors.js';
import { ids, subjectKindOf } from '../kernel/ids.js';
import { nextTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import { hashSecret } from '../kernel/secrets.js';
import type { Write } from '../store/unit-of-work.js';
import {
  audited,
  entitySubject,
  flagEntity,
  listingScope,
  mutateEntity,
  targetOf,
  updateEntity,
  type EntityKind,
  type IdentityContext,
} from './context.js';
import { identityErrors } from './errors.js';
import { listingOf, paramReader, toPage, windowOf, type ListRequest } from './paging.js';
import type { ApiKeyChanges } from './store.js';
import type { ActionWhenLeaked, ApiKey, CreatedApiKey, Detailed, OwnerType, Page } from './types.js';
import { descriptionOf, parseExpiry, requireName } from './validate.js';

/**
 * API keys: a secret that authenticates as a user or a service ID. The value is generated (or
 * given, ≥ 32 characters, unique), returned once by create, and stored only as hashSecret(value);
 * every later read returns `apikey: ""`. `store_value` is accepted for compatibility but values are
 * never stored, so it changes nothing. A locked key refuses update and delete (409
 * `entity_locked`); a disabled key stays manageable but cannot obtain tokens.
 *
 * Credentials are personal: a user API key is created only by its own user (neither the account
 * owner nor an administrator of iam-identity creates one for someone else); service-ID keys follow
 * the authorizer. A given value that is too short and one that is already taken (in any account)
 * are refused with one and the same 400, so the answer reveals nothing about other keys.
 */

export const MIN_API_KEY_LENGTH = 32;

export interface NewApiKeyFields {
  name: string;
  description?: string;
  /** A caller-chosen value; generated when absent. */
  apikey?: string;
  storeValue?: boolean;
  supportSessions?: boolean;
  actionWhenLeaked?: ActionWhenLeaked;
  expiresAt?: string;
}

export interface CreateApiKeyInput extends NewApiKeyFields {
  iamId: string;
  accountId?: string;
  locked?: boolean;
  disabled?: boolean;
}

export interface UpdateApiKeyInput {
  name?: string;
  description?: string;
  supportSessions?: boolean;
  actionWhenLeaked?: ActionWhenLeaked;
  expiresAt?: string;
}

export interface ReadOptions {
  includeHistory?: boolean;
  includeActivity?: boolean;
}

/** A key ready to insert: everything validated, the value still in hand. */
export interface PreparedApiKey {
  key: ApiKey;
  value: string;
  /** Whether the caller chose the value (then it must be checked for uniqueness). */
  given: boolean;
}

const SORTABLE = ['name', 'description', 'created_at', 'created_by', 'modified_at'] as const;

export function createApiKeyService(ctx: IdentityContext) {
  const { store, authorizer, clock } = ctx;

  /**
   * Builds a new key for `iamId` after the per-key input rules (name, value length, expiry, what
   * only user or only service ID keys may have). Who owns the identity is checked by the caller.
   */
  function prepareKey(
    fields: NewApiKeyFields & { iamId: string; accountId: string; ownerType: OwnerType; createdBy: string },
    state: { locked?: boolean; disabled?: boolean } = {},
  ): PreparedApiKey {
    const name = requireName('name', fields.name);
    if (fields.apikey !== undefined && fields.apikey.length < MIN_API_KEY_LENGTH) throw identityErrors.unusableApiKeyValue();
    if (fields.ownerType === 'user' && fields.storeValue) {
      throw invalid('store_value must be false or omitted for user API keys; user API key values are never stored.');
    }
    if (fields.ownerType === 'serviceid' && fields.supportSessions) {
      throw invalid('support_sessions is available only for user API keys.');
    }
    const now = clock.now();
    const at = now.toISOString();
    return {
      key: {
        id: ids.apiKey(),
        iamId: fields.iamId,
        accountId: fields.accountId,
        name,
        description: descriptionOf(fields.description),
        ownerType: fields.ownerType,
        locked: state.locked ?? false,
        disabled: state.disabled ?? false,
        supportSessions: fields.supportSessions ?? false,
        actionWhenLeaked: fields.actionWhenLeaked ?? 'none',
        expiresAt: fields.expiresAt === undefined ? null : parseExpiry(fields.expiresAt, now),
        createdBy: fields.createdBy,
        createdAt: at,
        modifiedAt: at,
        entityTag: nextTag(),
        lastAuthn: null,
        authnCount: 0,
      },
      value: fields.apikey ?? ids.apiKeyValue(),
      given: fields.apikey !== undefined,
    };
  }

  /**
   * Inserts a prepared key inside a write, with its history entry and change-feed entry. Uses only
   * the transaction (callers may hold it, e.g. bootstrap). A given value that is taken, also by a
   * concurrent insert (the unique index), is refused exactly like a weak one.
   */
  async function insertKeyIn(w: Write, prepared: PreparedApiKey, by: { iamId: string; accountId: string }): Promise<CreatedApiKey> {
    const hash = hashSecret(prepared.value);
    const { key } = prepared;
    await store.insertApiKey(w.trx, key, hash);
    await store.appendHistory(w.trx, key.id, {
      timestamp: key.createdAt,
      iamId: by.iamId,
      iamIdAccount: by.accountId,
      action: 'create',
      params: [key.name],
      message: `API key ${key.id} created for ${key.iamId}.`,
    });
    w.changed({ entity: 'apikey', entityId: key.id, accountId: key.accountId, op: 'create' });
    return { apiKey: key, value: prepared.value };
  }

  /**
   * The owner type of `iamId` in the account and the identity that owns its keys (the user
   * themself, or the service ID's creator). Throws 400 when it names no identity of the account.
   */
  async function identityOf(iamId: string, accountId: string): Promise<{ ownerType: OwnerType; ownerIamId: string }> {
    const kind = subjectKindOf(iamId);
    if (kind === 'user' && (await ctx.accounts.membershipState(accountId, iamId)) !== undefined) {
      return { ownerType: 'user', ownerIamId: iamId };
    }
    if (kind === 'serviceid') {
      const serviceId = await store.getServiceIdByIamId(iamId);
      if (serviceId && serviceId.accountId === accountId) return { ownerType: 'serviceid', ownerIamId: serviceId.createdBy };
    }
    throw identityErrors.unknownIdentity(iamId, accountId);
  }

  /** The identity whose keys these are, for owner rules: the user, or the service ID's creator. */
  async function ownerOf(key: ApiKey): Promise<string> {
    if (key.ownerType === 'user') return key.iamId;
    return (await store.getServiceIdByIamId(key.iamId))?.createdBy ?? key.iamId;
  }

  /** The key, if the actor's account holds it; 404 otherwise (other accounts' keys do not exist). */
  async function visibleKey(actor: Actor, id: string): Promise<ApiKey> {
    const key = await store.getApiKey(id);
    if (!key || key.accountId !== actor.principal.accountId) throw identityErrors.apiKeyNotFound(id);
    return key;
  }

  /**
   * Who may create a key for `iamId` in `accountId`. A user key: only that user, signed in as
   * themselves; in the account of their token, or in another account where they are an ACTIVE
   * member (how a user who accepted an invitation while signed in gets a credential there; the key
   * then yields tokens in that account only). A service-ID key: whoever the authorizer allows.
   */
  async function authorizeCreate(actor: Actor, accountId: string, ownerType: OwnerType, ownerIamId: string, keyId: string, iamId: string) {
    const { principal } = actor;
    if (ownerType === 'user') {
      if (principal.kind !== 'user' || principal.iamId !== iamId) throw identityErrors.notOwnKey(iamId);
      if (accountId === principal.accountId) return;
      if ((await ctx.accounts.membershipState(accountId, iamId)) === 'ACTIVE') return;
      throw forbidden();
    }
    await authorizer.authorize(principal, 'iam-identity.apikey.create', targetOf(accountId, { type: 'apikey', id: keyId, ownerIamId }), actor.environment);
  }

  async function authorizeOn(actor: Actor, action: string, key: ApiKey) {
    await authorizer.authorize(actor.principal, action, targetOf(key.accountId, { type: 'apikey', id: key.id, ownerIamId: await ownerOf(key) }), actor.environment);
  }

  async function detailed(key: ApiKey, options: ReadOptions): Promise<Detailed<ApiKey>> {
    const result: Detailed<ApiKey> = { entity: key };
    if (options.includeHistory) result.history = await store.historyOf(key.id);
    if (options.includeActivity) result.activity = { lastAuthn: key.lastAuthn, authnCount: key.authnCount };
    return result;
  }

  const kind: EntityKind<ApiKey, ApiKeyChanges> = {
    label: 'API key',
    feedEntity: 'apikey',
    read: (id, trx) => store.getApiKey(id, trx),
    update: store.updateApiKey,
    notFound: identityErrors.apiKeyNotFound,
    visible: visibleKey,
    authorize: authorizeOn,
  };

  /** Lock, unlock, disable, enable: a flag change, allowed on locked keys, 204 to the caller. */
  const flagChange = (flag: 'locked' | 'disabled', value: boolean, action: string, done: string) => (actor: Actor, id: string) =>
    flagEntity(ctx, actor, kind, id, action, { [flag]: value ? 1 : 0 }, done);

  return {
    prepareKey,
    insertKeyIn,

    async create(actor: Actor, input: CreateApiKeyInput): Promise<CreatedApiKey> {
      const accountId = input.accountId ?? actor.principal.accountId;
      const subject = entitySubject('apikey', 'create', '', accountId);
      return audited(ctx, actor, subject, async (commit) => {
        const { ownerType, ownerIamId } = await identityOf(input.iamId, accountId);
        const prepared = prepareKey({ ...input, accountId, ownerType, createdBy: actor.principal.iamId }, input);
        subject.targetId = prepared.key.id;
        await authorizeCreate(actor, accountId, ownerType, ownerIamId, prepared.key.id, input.iamId);
        return commit(
          (w) => insertKeyIn(w, prepared, actor.principal),
          { apikey_id: prepared.key.id, iam_id: input.iamId, name: prepared.key.name },
        );
      });
    },

    async get(actor: Actor, id: string, options: ReadOptions): Promise<Detailed<ApiKey>> {
      const key = await visibleKey(actor, id);
      await authorizeOn(actor, 'iam-identity.apikey.get', key);
      return detailed(key, options);
    },

    /** The key whose value is `value` (`GET /v1/apikeys/details`); 404 when none of the actor's account. */
    async getByValue(actor: Actor, value: string, options: ReadOptions): Promise<Detailed<ApiKey>> {
      const key = await store.getApiKeyByHash(hashSecret(value));
      if (!key || key.accountId !== actor.principal.accountId) throw identityErrors.apiKeyValueNotFound();
      // Presenting the value proves possession: an identity may always read its own key this way.
      if (key.iamId !== actor.principal.iamId) await authorizeOn(actor, 'iam-identity.apikey.get', key);
      return detailed(key, options);
    },

    /**
     * Lists keys. `scope=entity` (default): the keys of `iam_id` (default: the caller); `scope=account`:
     * every key of the account the caller may list, else only their own user keys. A `pagetoken`
     * carries the rest of the parameters.
     */
    async list(actor: Actor, request: ListRequest): Promise<Page<Detailed<ApiKey>>> {
      const { params, cursor } = listingOf(request);
      const read = paramReader(params);
      const accountId = read.text('accountId') ?? actor.principal.accountId;
      const ownerType = read.oneOf('type', ['user', 'serviceid'] as const);
      const window = windowOf(read, SORTABLE, cursor);
      let iamId: string | undefined;
      if ((read.oneOf('scope', ['entity', 'account'] as const) ?? 'entity') === 'entity') {
        iamId = read.text('iamId') ?? actor.principal.iamId;
        const { ownerIamId } = await identityOf(iamId, accountId);
        await authorizer.authorize(actor.principal, 'iam-identity.apikey.list', targetOf(accountId, { type: 'apikey', ownerIamId }), actor.environment);
      } else if ((await listingScope(ctx, actor, 'iam-identity.apikey.list', accountId)) === 'own') {
        iamId = actor.principal.iamId;
      }
      const slice = await store.listApiKeys({ accountId, ...(iamId !== undefined ? { iamId } : {}), ...(ownerType ? { ownerType } : {}) }, window);
      const items = await Promise.all(slice.items.map((key) => detailed(key, { includeHistory: read.flag('includeHistory') })));
      return toPage({ ...slice, items }, params, window);
    },

    update(actor: Actor, id: string, ifMatch: string, input: UpdateApiKeyInput): Promise<ApiKey> {
      return updateEntity(ctx, actor, kind, id, ifMatch, input, (key) => {
        const columns: ApiKeyChanges = {};
        if (input.name !== undefined) columns.name = requireName('name', input.name);
        if (input.description !== undefined) columns.description = descriptionOf(input.description);
        if (input.supportSessions !== undefined) {
          if (input.supportSessions && key.ownerType !== 'user') throw invalid('support_sessions is available only for user API keys.');
          columns.support_sessions = input.supportSessions ? 1 : 0;
        }
        if (input.actionWhenLeaked !== undefined) columns.action_when_leaked = input.actionWhenLeaked;
        if (input.expiresAt !== undefined) columns.expires_at = parseExpiry(input.expiresAt, clock.now(), 'expires-now');
        return columns;
      });
    },

    delete(actor: Actor, id: string): Promise<void> {
      return mutateEntity(ctx, actor, kind, id, 'delete', (_key, commit) =>
        commit(async (w) => {
          const current = await store.getApiKey(id, w.trx);
          if (!current) throw identityErrors.apiKeyNotFound(id);
          if (current.locked) throw identityErrors.locked('API key', id);
          await store.deleteApiKey(w.trx, id);
          await store.deleteHistory(w.trx, [id]);
          w.changed({ entity: 'apikey', entityId: id, accountId: current.accountId, op: 'delete' });
        }),
      );
    },

    lock: flagChange('locked', true, 'lock', 'locked'),
    unlock: flagChange('locked', false, 'unlock', 'unlocked'),
    disable: flagChange('disabled', true, 'disable', 'disabled'),
    enable: flagChange('disabled', false, 'enable', 'enabled'),
  };
}

export type ApiKeyService = ReturnType<typeof createApiKeyService>;
