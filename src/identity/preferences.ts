import { isAllowed } from '../kernel/authorizer.js';
import { invalid, notFound } from '../kernel/errors.js';
import type { Actor } from '../kernel/principal.js';
import { audited, targetOf, type AuditSubject, type IdentityContext } from './context.js';
import type { ExtrasStore, PreferenceKey, PreferenceRow } from './extras-store.js';

/**
 * Identity preferences on scope `account`: values an identity keeps per account (a user has one
 * per account it belongs to), e.g. the console's landing page. The supported preferences are the
 * ones IBM documents (PREFERENCES); each value is validated and bounded.
 *
 * Authorization (decided by the PDP, target resource type `preferences` of the account, owned by
 * the identity addressed): an identity reads and writes its own; others need
 * `iam-identity.preferences.read` to read and `iam-identity.preferences.update` to write or
 * delete (IBM's Administrator on iam-identity). IBM documents the console preferences for trusted
 * profiles; here every identity of the account (member user, service ID, trusted profile) may hold them.
 * Writes are upserts on (account, identity, service, preference), audited; nothing is written on a
 * refusal. Listing returns only what the caller may read (nothing, rather than an error).
 */

export const PREFERENCE_LIMITS = {
  /** Longest `value_string` accepted. */
  valueLength: 256,
  /** Most entries of `value_list_of_strings`. */
  listEntries: 32,
  /** Longest entry of `value_list_of_strings`. */
  entryLength: 64,
} as const;

/** The console navigation entries IBM documents for `console/global_left_navigation`. */
const NAVIGATION_ENTRIES = new Set([
  'slash', 'projects', 'rex', 'containers', 'databases', 'is', 'logmet', 'automation', 'complianceAndSecurity',
  'apis', 'cp4d', 'partner-center', 'sap', 'satellite', 'vmWare', 'watsonx',
]);

type PreferenceValue = { kind: 'string'; value: string } | { kind: 'list'; value: string[] };

interface PreferenceDefinition {
  kind: 'string' | 'list';
  /** Throws a 400 naming what is wrong with the value. */
  check(value: PreferenceValue): void;
}

/** A console path without host: `/billing`, `/iam/users?x=1`. */
const CONSOLE_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]*$/;

/** The supported preferences, by `service/preference_id`. */
const PREFERENCES: Record<string, PreferenceDefinition> = {
  'console/landing_page': {
    kind: 'string',
    check(v) {
      if (v.kind !== 'string' || !CONSOLE_PATH.test(v.value)) {
        throw invalid('console/landing_page: value_string must be a console path without host, e.g. "/billing".');
      }
    },
  },
  'console/global_left_navigation': {
    kind: 'list',
    check(v) {
      if (v.kind !== 'list') throw invalid('console/global_left_navigation: value_list_of_strings is required.');
      const unknown = v.value.find((entry) => !NAVIGATION_ENTRIES.has(entry));
      if (unknown !== undefined) throw invalid(`console/global_left_navigation: "${unknown}" is not a console navigation entry.`);
      if (new Set(v.value).size !== v.value.length) throw invalid('console/global_left_navigation: entries must not repeat.');
    },
  },
};

export interface PreferenceInput {
  valueString?: string;
  valueListOfStrings?: string[];
}

export interface Preference extends PreferenceKey {
  value: PreferenceValue;
}

const preferenceOf = (row: PreferenceRow): Preference => ({
  accountId: row.account_id,
  iamId: row.iam_id,
  service: row.service,
  preferenceId: row.preference_id,
  value: row.value_list !== null ? { kind: 'list', value: JSON.parse(row.value_list) as string[] } : { kind: 'string', value: row.value_string ?? '' },
});

const nameOf = (key: PreferenceKey) => `${key.service}/${key.preferenceId}`;

const preferenceNotFound = (key: PreferenceKey) => notFound('Preference', `${nameOf(key)} of ${key.iamId}`);

function definitionOf(key: PreferenceKey): PreferenceDefinition {
  const definition = PREFERENCES[nameOf(key)];
  if (!definition) throw invalid(`${nameOf(key)} is not a supported preference; supported: ${Object.keys(PREFERENCES).join(', ')}.`);
  return definition;
}

/**
 * The value the input carries for a preference of that kind. The SDK always sends a non-empty
 * `value_string` (it is required there), so a list preference takes its list and ignores it.
 */
function valueOf(definition: PreferenceDefinition, key: PreferenceKey, input: PreferenceInput): PreferenceValue {
  let value: PreferenceValue;
  if (definition.kind === 'list') {
    if (input.valueListOfStrings === undefined) throw invalid(`${nameOf(key)} takes value_list_of_strings.`);
    value = { kind: 'list', value: input.valueListOfStrings };
  } else {
    if (input.valueListOfStrings !== undefined) throw invalid(`${nameOf(key)} takes value_string only, not value_list_of_strings.`);
    if (input.valueString === undefined) throw invalid(`${nameOf(key)} takes value_string.`);
    value = { kind: 'string', value: input.valueString };
  }
  definition.check(value);
  return value;
}

export function createPreferenceService(
  ctx: IdentityContext,
  extras: ExtrasStore,
  isIdentityOf: (accountId: string, iamId: string) => Promise<boolean>,
) {
  const { authorizer, clock } = ctx;

  /** Authorizes `action` on the preferences of `iamId` in the account; 404 when it names no identity there. */
  async function authorizeOn(actor: Actor, action: string, key: Pick<PreferenceKey, 'accountId' | 'iamId'>): Promise<void> {
    await authorizer.authorize(actor.principal, action, targetOf(key.accountId, { type: 'preferences', ownerIamId: key.iamId }), actor.environment);
    if (!(await isIdentityOf(key.accountId, key.iamId))) throw notFound('Identity', key.iamId);
  }

  const subjectOf = (action: string, key: PreferenceKey): AuditSubject => ({
    action: `iam-identity.preferences.${action}`,
    targetType: 'preferences',
    targetId: `${key.iamId}/${nameOf(key)}`,
    accountId: key.accountId,
  });

  return {
    async update(actor: Actor, key: PreferenceKey, input: PreferenceInput): Promise<Preference> {
      return audited(ctx, actor, subjectOf('update', key), async (commit) => {
        await authorizeOn(actor, 'iam-identity.preferences.update', key);
        const value = valueOf(definitionOf(key), key, input);
        const row: PreferenceRow = {
          account_id: key.accountId,
          iam_id: key.iamId,
          service: key.service,
          preference_id: key.preferenceId,
          value_string: value.kind === 'string' ? value.value : null,
          value_list: value.kind === 'list' ? JSON.stringify(value.value) : null,
          updated_at: clock.now().toISOString(),
          updated_by: actor.principal.iamId,
        };
        await commit((w) => extras.upsertPreference(w.trx, row), { value: value.value });
        return { ...key, value };
      });
    },

    async get(actor: Actor, key: PreferenceKey): Promise<Preference> {
      await authorizeOn(actor, 'iam-identity.preferences.read', key);
      const row = await extras.getPreference(key);
      if (!row) throw preferenceNotFound(key);
      return preferenceOf(row);
    },

    /** Every preference of the identity in the account the caller may read (possibly none). */
    async list(actor: Actor, accountId: string, iamId: string): Promise<Preference[]> {
      const target = targetOf(accountId, { type: 'preferences', ownerIamId: iamId });
      // Another account is refused as everywhere; in one's own account, unreadable means none.
      if (accountId !== actor.principal.accountId) await authorizer.authorize(actor.principal, 'iam-identity.preferences.read', target, actor.environment);
      if (!(await isAllowed(authorizer, actor, 'iam-identity.preferences.read', target))) return [];
      if (!(await isIdentityOf(accountId, iamId))) throw notFound('Identity', iamId);
      return (await extras.listPreferences(accountId, iamId)).map(preferenceOf);
    },

    async delete(actor: Actor, key: PreferenceKey): Promise<void> {
      await audited(ctx, actor, subjectOf('delete', key), async (commit) => {
        await authorizeOn(actor, 'iam-identity.preferences.update', key);
        await commit(async (w) => {
          if (!(await extras.deletePreference(w.trx, key))) throw preferenceNotFound(key);
        });
      });
    },
  };
}

export type PreferenceService = ReturnType<typeof createPreferenceService>;
