import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse, stringify } from 'yaml';
import { usageError } from '../client/errors.js';

/**
 * The portable description of an account that `portcullis export` writes and `portcullis import`
 * applies: identities without secrets, access groups with static members and dynamic rules,
 * policies, custom roles and identity settings. Everything refers to everything else by name
 * (service IDs, groups, custom roles as `custom:<name>`, resource groups as `resourceGroupName`),
 * never by an id of one account, so it applies to another; users by their login. A CRN of the
 * account itself (a trusted profile's link or identity) carries `{account}` for its account id.
 */

/** The account id's stand-in in CRNs of the account itself. */
export const ACCOUNT_PLACEHOLDER = '{account}';
const Text = Type.String({ minLength: 1 });
const AttrValue = Type.Union([Type.String(), Type.Object({ value: Type.String(), operator: Text }, { additionalProperties: false })]);
const Attrs = Type.Record(Type.String(), AttrValue);

const ServiceIdDoc = Type.Object({ name: Text, description: Type.Optional(Type.String()), locked: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const RoleDoc = Type.Object(
  { name: Text, display_name: Text, service_name: Text, description: Type.Optional(Type.String()), actions: Type.Array(Text, { minItems: 1 }) },
  { additionalProperties: false },
);
const Condition = Type.Object({ claim: Text, operator: Text, value: Type.String() }, { additionalProperties: false });
const RuleDoc = Type.Object({ name: Text, realm_name: Text, expiration: Type.Integer(), conditions: Type.Array(Condition, { minItems: 1 }) }, { additionalProperties: false });
const GroupDoc = Type.Object(
  {
    name: Text,
    description: Type.Optional(Type.String()),
    users: Type.Optional(Type.Array(Text)),
    service_ids: Type.Optional(Type.Array(Text)),
    rules: Type.Optional(Type.Array(RuleDoc)),
  },
  { additionalProperties: false },
);
const ProfileRuleDoc = Type.Object(
  {
    name: Text,
    type: Text,
    realm_name: Type.Optional(Text),
    cr_type: Type.Optional(Text),
    expiration: Type.Optional(Type.Integer()),
    conditions: Type.Array(Condition, { minItems: 1 }),
  },
  { additionalProperties: false },
);
const ProfileLinkDoc = Type.Object(
  { name: Type.Optional(Text), cr_type: Text, crn: Text, namespace: Type.Optional(Text), component_name: Type.Optional(Text) },
  { additionalProperties: false },
);
/** `identifier`: a user's login, a service ID's name, or a CRN. */
const ProfileIdentityDoc = Type.Object(
  {
    type: Type.Union([Type.Literal('user'), Type.Literal('serviceid'), Type.Literal('crn')]),
    identifier: Text,
    accounts: Type.Optional(Type.Array(Text)),
    description: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const ProfileDoc = Type.Object(
  {
    name: Text,
    description: Type.Optional(Type.String()),
    rules: Type.Optional(Type.Array(ProfileRuleDoc)),
    links: Type.Optional(Type.Array(ProfileLinkDoc)),
    identities: Type.Optional(Type.Array(ProfileIdentityDoc)),
  },
  { additionalProperties: false },
);
const SubjectRef = Type.Union([
  Type.Object({ user: Text }, { additionalProperties: false }),
  Type.Object({ service_id: Text }, { additionalProperties: false }),
  Type.Object({ access_group: Text }, { additionalProperties: false }),
  Type.Object({ trusted_profile: Text }, { additionalProperties: false }),
]);
const PolicyDoc = Type.Object(
  { subject: SubjectRef, roles: Type.Array(Text, { minItems: 1 }), resource: Attrs, description: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
const AuthorizationDoc = Type.Object({ source: Attrs, target: Attrs, roles: Type.Array(Text, { minItems: 1 }) }, { additionalProperties: false });

export const AccountDoc = Type.Object(
  {
    portcullis: Type.Literal('account/v1'),
    account: Type.Optional(Type.String()),
    settings: Type.Optional(Type.Record(Type.String(), Type.String())),
    users: Type.Optional(Type.Array(Text)),
    service_ids: Type.Optional(Type.Array(ServiceIdDoc)),
    custom_roles: Type.Optional(Type.Array(RoleDoc)),
    access_groups: Type.Optional(Type.Array(GroupDoc)),
    trusted_profiles: Type.Optional(Type.Array(ProfileDoc)),
    policies: Type.Optional(Type.Array(PolicyDoc)),
    authorization_policies: Type.Optional(Type.Array(AuthorizationDoc)),
  },
  { additionalProperties: false },
);

export type AccountDoc = Static<typeof AccountDoc>;
export type AttrValue = Static<typeof AttrValue>;
export type Attrs = Static<typeof Attrs>;
export type ServiceIdDoc = Static<typeof ServiceIdDoc>;
export type RoleDoc = Static<typeof RoleDoc>;
export type RuleDoc = Static<typeof RuleDoc>;
export type GroupDoc = Static<typeof GroupDoc>;
export type ProfileDoc = Static<typeof ProfileDoc>;
export type ProfileRuleDoc = Static<typeof ProfileRuleDoc>;
export type ProfileLinkDoc = Static<typeof ProfileLinkDoc>;
export type ProfileIdentityDoc = Static<typeof ProfileIdentityDoc>;
export type SubjectRef = Static<typeof SubjectRef>;
export type PolicyDoc = Static<typeof PolicyDoc>;
export type AuthorizationDoc = Static<typeof AuthorizationDoc>;

export const toYaml = (doc: AccountDoc): string => stringify(doc, { lineWidth: 0 });

/** Parses and checks a document; the first problem is a usage error naming where it is. */
export function fromYaml(text: string, source: string): AccountDoc {
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw usageError(`${source} is not YAML: ${(error as Error).message}`);
  }
  if (!Value.Check(AccountDoc, value)) {
    const first = Value.Errors(AccountDoc, value).First();
    throw usageError(`${source}: ${first ? `${first.path || '/'}: ${first.message}` : 'not an account document'} (expected "portcullis: account/v1" and the sections of portcullis export).`);
  }
  return value;
}

/** A stable text of attributes, for matching policies by what they are about. */
export const attrsKey = (attrs: Attrs): string =>
  JSON.stringify(Object.keys(attrs).sort().map((k) => [k, attrs[k]]));

export const subjectKey = (s: SubjectRef): string =>
  'user' in s ? `user:${s.user.toLowerCase()}`
  : 'service_id' in s ? `service_id:${s.service_id}`
  : 'trusted_profile' in s ? `trusted_profile:${s.trusted_profile}`
  : `access_group:${s.access_group.toLowerCase()}`;

export const subjectLabel = (s: SubjectRef): string =>
  'user' in s ? `user ${s.user}` : 'service_id' in s ? `service ID ${s.service_id}` : 'trusted_profile' in s ? `trusted profile ${s.trusted_profile}` : `access group ${s.access_group}`;

/** A CRN of `accountId` with its account id replaced by ACCOUNT_PLACEHOLDER (export), or back (import). */
export const portableCrn = (crn: string, accountId: string): string => crn.split(`/${accountId}:`).join(`/${ACCOUNT_PLACEHOLDER}:`);
export const localCrn = (crn: string, accountId: string): string => crn.split(`/${ACCOUNT_PLACEHOLDER}:`).join(`/${accountId}:`);
