import { Type, type TSchema } from '@sinclair/typebox';
import { created, noContent, ok, type Operations } from '../../http/openapi.js';
import { limits } from '../../kernel/limits.js';

/**
 * Request and response schemas of the trusted-profile routes (the SDK's iam-identity/v1
 * parameter types and models) and what the OpenAPI document says of each operation. Bodies reject
 * unknown fields and wrong types (400); query strings tolerate unknown parameters, as IBM's do.
 * Responses are serialized through these schemas: a field missing here is missing on the wire.
 */

const strict = { additionalProperties: false } as const;
const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const S = Type.String();
const Id = Type.String({ minLength: 1, maxLength: limits.id });
const Text = Type.String({ maxLength: limits.text });

// ── Requests ──────────────────────────────────────────────────────────────────────────────────

export const ProfileParams = Type.Object({ profile_id: Id });
export const RuleParams = Type.Object({ profile_id: Id, rule_id: Id });
export const LinkParams = Type.Object({ profile_id: Id, link_id: Id });
export const IdentityTypeParams = Type.Object({ profile_id: Id, identity_type: Id });
export const IdentityParams = Type.Object({ profile_id: Id, identity_type: Id, identifier_id: Id });

export const CreateProfileBody = Type.Object(
  { name: Text, account_id: Id, description: opt(Text), email: opt(Type.String({ maxLength: limits.id })) },
  strict,
);

export const UpdateProfileBody = Type.Object(
  { name: opt(Text), description: opt(Text), email: opt(Type.String({ maxLength: limits.id })) },
  strict,
);

export const ProfileListQuery = Type.Object({
  account_id: opt(Type.String({ maxLength: limits.text })),
  name: opt(Type.String({ maxLength: limits.text })),
  pagesize: opt(Type.Integer({ minimum: 1, maximum: 100 })),
  sort: opt(Type.String({ maxLength: limits.text })),
  order: opt(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  include_history: opt(Type.Boolean()),
  pagetoken: opt(Type.String({ maxLength: limits.opaque })),
  filter: opt(Type.String({ maxLength: limits.opaque })),
});

export const ProfileReadQuery = Type.Object({ include_activity: opt(Type.Boolean()), include_history: opt(Type.Boolean()) });

const Condition = Type.Object(
  { claim: Type.String({ maxLength: limits.id }), operator: Type.String({ maxLength: limits.id }), value: Type.String({ maxLength: limits.opaque }) },
  strict,
);

/** createClaimRule and updateClaimRule (the update sends the whole rule). `context` is accepted and ignored, as IBM does. */
export const ClaimRuleBody = Type.Object(
  {
    type: Type.String({ maxLength: limits.id }),
    conditions: Type.Array(Condition, { maxItems: 100 }),
    context: opt(Type.Object({}, { additionalProperties: true })),
    name: opt(Text),
    realm_name: opt(Type.String({ maxLength: limits.id })),
    cr_type: opt(Type.String({ maxLength: limits.id })),
    expiration: opt(Type.Integer()),
  },
  strict,
);

export const CreateLinkBody = Type.Object(
  {
    cr_type: Type.String({ maxLength: limits.id }),
    link: Type.Object(
      {
        crn: Type.String({ minLength: 1, maxLength: limits.id }),
        namespace: opt(Type.String({ maxLength: limits.id })),
        name: opt(Type.String({ maxLength: limits.id })),
        component_type: opt(Type.String({ maxLength: limits.id })),
        component_name: opt(Type.String({ maxLength: limits.id })),
      },
      strict,
    ),
    name: opt(Text),
    is_cross_account: opt(Type.Boolean()),
  },
  strict,
);

export const DeleteLinkQuery = Type.Object({
  type: Type.String({ minLength: 1, maxLength: limits.id }),
  crn: opt(Type.String({ maxLength: limits.id })),
  namespace: opt(Type.String({ maxLength: limits.id })),
  name: opt(Type.String({ maxLength: limits.id })),
  component_type: opt(Type.String({ maxLength: limits.id })),
  component_name: opt(Type.String({ maxLength: limits.id })),
});

const identityFields = {
  identifier: Type.String({ minLength: 1, maxLength: limits.id }),
  type: Type.String({ maxLength: limits.id }),
  accounts: opt(Type.Array(Type.String({ maxLength: limits.id }), { maxItems: 100 })),
  description: opt(Text),
};
export const ProfileIdentityBody = Type.Object(identityFields, strict);
export const ProfileIdentitiesBody = Type.Object({ identities: opt(Type.Array(Type.Object(identityFields, strict), { maxItems: 1000 })) }, strict);

// ── Responses ─────────────────────────────────────────────────────────────────────────────────

const EntityHistory = Type.Object({ timestamp: S, iam_id: S, iam_id_account: S, action: S, params: Type.Array(S), message: S });

export const ProfileResponse = Type.Object(
  {
    id: S,
    entity_tag: S,
    crn: S,
    name: S,
    description: opt(S),
    email: opt(S),
    created_at: opt(S),
    modified_at: opt(S),
    iam_id: S,
    account_id: S,
    history: opt(Type.Array(EntityHistory)),
    activity: opt(Type.Object({ last_authn: opt(S), authn_count: Type.Integer() })),
  },
  { title: 'TrustedProfile' },
);

const ProfileList = Type.Object(
  { offset: opt(Type.Integer()), limit: opt(Type.Integer()), first: opt(S), previous: opt(S), next: opt(S), profiles: Type.Array(ProfileResponse) },
  { title: 'TrustedProfilesList' },
);

export const ClaimRuleResponse = Type.Object(
  {
    id: S,
    entity_tag: S,
    created_at: S,
    modified_at: opt(S),
    name: opt(S),
    type: S,
    realm_name: opt(S),
    expiration: Type.Integer(),
    cr_type: opt(S),
    conditions: Type.Array(Type.Object({ claim: S, operator: S, value: S })),
  },
  { title: 'ProfileClaimRule' },
);

export const LinkResponse = Type.Object(
  {
    id: S,
    entity_tag: S,
    created_at: S,
    modified_at: S,
    name: opt(S),
    cr_type: S,
    is_cross_account: opt(Type.Boolean()),
    link: Type.Object({ crn: opt(S), namespace: opt(S), name: opt(S), component_type: opt(S), component_name: opt(S) }),
  },
  { title: 'ProfileLink' },
);

export const IdentityResponse = Type.Object(
  { iam_id: S, identifier: S, type: S, accounts: opt(Type.Array(S)), description: opt(S) },
  { title: 'ProfileIdentityResponse' },
);

const IdentitiesResponse = Type.Object({ entity_tag: opt(S), identities: opt(Type.Array(IdentityResponse)) }, { title: 'ProfileIdentitiesResponse' });

const profiles = '/v1/profiles';
const one = `${profiles}/:profile_id`;

export const profileOperations: Operations = {
  [`GET ${profiles}`]: { operationId: 'listProfiles', summary: 'List the trusted profiles of an account', responses: ok(ProfileList) },
  [`POST ${profiles}`]: { operationId: 'createProfile', summary: 'Create a trusted profile', responses: created(ProfileResponse) },
  [`GET ${one}`]: { operationId: 'getProfile', summary: 'Get a trusted profile', responses: ok(ProfileResponse) },
  [`PUT ${one}`]: { operationId: 'updateProfile', summary: 'Update a trusted profile', responses: ok(ProfileResponse) },
  [`DELETE ${one}`]: { operationId: 'deleteProfile', summary: 'Delete a trusted profile with its rules, links and identities', responses: noContent },
  [`POST ${one}/rules`]: { operationId: 'createClaimRule', summary: 'Add a claim rule to a trusted profile', responses: created(ClaimRuleResponse) },
  [`GET ${one}/rules`]: {
    operationId: 'listClaimRules',
    summary: 'List the claim rules of a trusted profile',
    responses: ok(Type.Object({ rules: Type.Array(ClaimRuleResponse) }, { title: 'ProfileClaimRuleList' })),
  },
  [`GET ${one}/rules/:rule_id`]: { operationId: 'getClaimRule', summary: 'Get a claim rule', responses: ok(ClaimRuleResponse) },
  [`PUT ${one}/rules/:rule_id`]: { operationId: 'updateClaimRule', summary: 'Replace a claim rule', responses: ok(ClaimRuleResponse) },
  [`DELETE ${one}/rules/:rule_id`]: { operationId: 'deleteClaimRule', summary: 'Delete a claim rule', responses: noContent },
  [`POST ${one}/links`]: { operationId: 'createLink', summary: 'Link a compute resource to a trusted profile', responses: created(LinkResponse) },
  [`GET ${one}/links`]: {
    operationId: 'listLinks',
    summary: 'List the compute-resource links of a trusted profile',
    responses: ok(Type.Object({ links: Type.Array(LinkResponse) }, { title: 'ProfileLinkList' })),
  },
  [`DELETE ${one}/links`]: { operationId: 'deleteLinkByParameters', summary: 'Delete the links matching the parameters', responses: noContent },
  [`GET ${one}/links/:link_id`]: { operationId: 'getLink', summary: 'Get a compute-resource link', responses: ok(LinkResponse) },
  [`DELETE ${one}/links/:link_id`]: { operationId: 'deleteLink', summary: 'Delete a compute-resource link', responses: noContent },
  [`GET ${one}/identities`]: {
    operationId: 'getProfileIdentities',
    summary: 'List the identities that may assume a trusted profile',
    responses: ok(IdentitiesResponse),
  },
  [`PUT ${one}/identities`]: {
    operationId: 'setProfileIdentities',
    summary: 'Replace the identities that may assume a trusted profile',
    responses: ok(IdentitiesResponse),
  },
  [`POST ${one}/identities/:identity_type`]: {
    operationId: 'setProfileIdentity',
    summary: 'Let one identity assume a trusted profile',
    responses: ok(IdentityResponse),
  },
  [`GET ${one}/identities/:identity_type/:identifier_id`]: {
    operationId: 'getProfileIdentity',
    summary: 'Get one identity that may assume a trusted profile',
    responses: ok(IdentityResponse),
  },
  [`DELETE ${one}/identities/:identity_type/:identifier_id`]: {
    operationId: 'deleteProfileIdentity',
    summary: 'Stop one identity from assuming a trusted profile',
    responses: noContent,
  },
};
