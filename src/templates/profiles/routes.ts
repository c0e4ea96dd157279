import { Type, type TSchema } from '@sinclair/typebox';
import { limits } from '../../kernel/limits.js';
import { identityTemplateRoutes, type IdentityTemplateRoutesDeps, type IdentityTemplateSpec } from '../identity/routes.js';
import { PROFILE_KEY, type ProfileTemplateBody } from './kind.js';

/**
 * Trusted-profile templates and their assignments (IAM Identity `/v1/profile_templates`,
 * `/v1/profile_assignments`): the identity template routes with a profile (rules, identities) and
 * policy template references as content.
 */

const opt = <T extends TSchema>(schema: T) => Type.Optional(schema);
const strict = { additionalProperties: false } as const;
const Text = Type.String({ maxLength: limits.text });
const Id = Type.String({ minLength: 1, maxLength: limits.id });

const Condition = Type.Object({ claim: Text, operator: Type.String({ maxLength: 32 }), value: Text }, strict);
const Rule = Type.Object(
  { name: opt(Text), type: Type.String({ maxLength: 32 }), realm_name: opt(Text), expiration: opt(Type.Integer()), conditions: Type.Array(Condition, { maxItems: 10 }) },
  strict,
);
const Identity = Type.Object(
  { identifier: Type.String({ minLength: 1, maxLength: limits.text }), type: Type.String({ maxLength: 16 }), accounts: opt(Type.Array(Id, { maxItems: 20 })), description: opt(Text) },
  strict,
);
const ProfileInput = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: limits.text }), description: opt(Text), rules: opt(Type.Array(Rule, { maxItems: 10 })), identities: opt(Type.Array(Identity, { maxItems: 100 })) },
  strict,
);
const AddRemove = Type.Object({ add: Type.Boolean(), remove: Type.Boolean() }, strict);
/** IBM's ActionControls: `rules` and `policies` required, `identities` optional. */
const ActionControls = Type.Object({ identities: opt(AddRemove), rules: AddRemove, policies: AddRemove }, strict);
const References = Type.Array(Type.Object({ id: Id, version: Type.String({ minLength: 1, maxLength: 16 }) }, strict), { maxItems: 20 });

const S = Type.String();
const ProfileOutput = Type.Object({
  name: S,
  description: opt(S),
  rules: opt(
    Type.Array(Type.Object({ name: opt(S), type: S, realm_name: opt(S), expiration: opt(Type.Integer()), conditions: Type.Array(Type.Object({ claim: S, operator: S, value: S })) })),
  ),
  identities: opt(Type.Array(Type.Object({ iam_id: S, identifier: S, type: S, accounts: opt(Type.Array(S)), description: opt(S) }))),
});

export const profileTemplateSpec: IdentityTemplateSpec<ProfileTemplateBody> = {
  templates: 'profile_templates',
  assignments: 'profile_assignments',
  crnType: 'profile-template',
  idWord: 'Profile',
  assignmentWord: 'TrustedProfile',
  noun: 'trusted profile',
  title: 'TrustedProfileTemplate',
  tag: 'IAM Identity trusted profile templates',
  listKey: 'profile_templates',
  resourceKey: PROFILE_KEY,
  input: { profile: opt(ProfileInput), policy_template_references: opt(References), action_controls: opt(ActionControls) },
  contentSchema: { profile: opt(ProfileOutput), policy_template_references: opt(Type.Array(Type.Object({ id: S, version: S }))), action_controls: opt(ActionControls) },
  content: (body) => ({
    profile: {
      ...body.profile,
      identities: (body.profile.identities ?? []).map((i) => ({ ...i, iam_id: i.type === 'crn' ? `crn-${i.identifier}` : i.identifier })),
    },
    policy_template_references: body.policy_template_references,
    ...(body.action_controls ? { action_controls: body.action_controls } : {}),
  }),
};

export const profileTemplateRoutes = (deps: IdentityTemplateRoutesDeps<ProfileTemplateBody>) => identityTemplateRoutes(profileTemplateSpec, deps);
