import { createHash } from 'node:crypto';
import type { Authorizer } from '../kernel/authorizer.js';
import type { Clock } from '../kernel/clock.js';
import { expectedTag, nextTag, staleTag } from '../kernel/etag.js';
import type { Actor } from '../kernel/principal.js';
import { createAudited } from '../store/audited.js';
import type { Writer } from '../store/unit-of-work.js';
import { policyErrors } from './errors.js';
import type { SettingsStore, StoredSettings } from './settings-store.js';
import { ACCESS_MANAGEMENT, accessManagementTarget } from './targets.js';
import { IDENTITY_TYPES, type AccessManagementSettings, type AccessManagementSettingsPatch, type IdentityTypeSetting } from './types.js';

export interface SettingsServiceDeps {
  store: SettingsStore;
  authorizer: Authorizer;
  writer: Writer;
  clock: Clock;
}

const STATES = new Set(['enabled', 'limited', 'monitor']);

const defaults = (): AccessManagementSettings => ({
  external_account_identity_interaction: {
    identity_types: {
      user: { state: 'enabled', external_allowed_accounts: [] },
      service_id: { state: 'enabled', external_allowed_accounts: [] },
      service: { state: 'enabled', external_allowed_accounts: [] },
    },
  },
});

/**
 * The entity tag of an account's default settings, before any change: derived from the account, so
 * it is stable across reads and nodes without storing anything on a read.
 */
const defaultTag = (accountId: string) =>
  `1-${createHash('sha256').update(`access_management:${accountId}`).digest('hex').slice(0, 32)}`;

function checked(type: string, setting: { state: string; external_allowed_accounts: string[] }): IdentityTypeSetting {
  if (!STATES.has(setting.state)) throw policyErrors.invalidBody(`identity_types.${type}.state is enabled, limited or monitor.`);
  const accounts = setting.external_allowed_accounts;
  if (setting.state === 'enabled' && accounts.length > 0) {
    throw policyErrors.invalidBody(`identity_types.${type}: state enabled takes an empty external_allowed_accounts list.`);
  }
  if (accounts.some((a) => !/^[0-9a-zA-Z-]{1,64}$/.test(a))) {
    throw policyErrors.invalidBody(`identity_types.${type}.external_allowed_accounts holds account ids.`);
  }
  return { state: setting.state as IdentityTypeSetting['state'], external_allowed_accounts: [...new Set(accounts)] };
}

/**
 * Access-management settings (authz.md §6): how identities of other accounts may interact with
 * this one. Guarded by `iam-access-management.settings.read|update`; a change is published as an
 * `access_management_settings` change for the decision point.
 */
export function createSettingsService(deps: SettingsServiceDeps) {
  const { store, clock } = deps;
  const audited = createAudited(deps);

  const current = async (accountId: string): Promise<StoredSettings & { stored: boolean }> => {
    const stored = await store.get(accountId);
    return stored ? { ...stored, stored: true } : { settings: defaults(), entityTag: defaultTag(accountId), stored: false };
  };

  const facts = (action: string, accountId: string) => ({
    action,
    targetType: 'access_management_settings',
    targetId: accountId,
    accountId,
  });

  return {
    async get(actor: Actor, accountId: string): Promise<StoredSettings> {
      const action = `${ACCESS_MANAGEMENT}.settings.read`;
      await audited(actor, facts(action, accountId), (_commit, tools) => tools.authorize(action, accessManagementTarget(accountId)));
      const { settings, entityTag } = await current(accountId);
      return { settings, entityTag };
    },

    /** Merges the given identity types into the settings; the others keep their values. */
    async update(actor: Actor, accountId: string, ifMatch: string, patch: AccessManagementSettingsPatch): Promise<StoredSettings> {
      const action = `${ACCESS_MANAGEMENT}.settings.update`;
      return audited(actor, facts(action, accountId), async (commit, tools) => {
        await tools.authorize(action, accessManagementTarget(accountId));
        const before = await current(accountId);
        expectedTag(ifMatch, before.entityTag);
        const types = { ...before.settings.external_account_identity_interaction.identity_types };
        const given = patch.external_account_identity_interaction?.identity_types ?? {};
        for (const type of IDENTITY_TYPES) {
          const setting = given[type];
          if (setting) types[type] = checked(type, setting);
        }
        const next: StoredSettings = { settings: { external_account_identity_interaction: { identity_types: types } }, entityTag: nextTag(before.entityTag) };
        await commit(async (w) => {
          const saved = await store.save(w.trx, accountId, before.stored ? before.entityTag : undefined, {
            ...next,
            modifiedAt: clock.now().toISOString(),
            modifiedBy: actor.principal.iamId,
          });
          if (!saved) throw staleTag();
          w.changed({ entity: 'access_management_settings', entityId: accountId, accountId, op: 'update' });
        });
        return next;
      });
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
