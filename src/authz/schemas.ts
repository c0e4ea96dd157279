import { Type } from '@sinclair/typebox';
import { type Operations } from '../http/openapi.js';
import { limits } from '../kernel/limits.js';

/** Request and response schemas of the decision point's API (IBM's PDP format, authz.md §1). */

const Attributes = Type.Record(Type.String(), Type.Union([Type.String({ maxLength: limits.text }), Type.Number(), Type.Boolean()]));
const Subject = Type.Object({ attributes: Type.Optional(Attributes), accessTokenBody: Type.Optional(Type.String({ maxLength: limits.opaque })) });
const Resource = Type.Object({ attributes: Type.Optional(Attributes), crn: Type.Optional(Type.String({ maxLength: limits.text })) });
const Environment = Type.Object({ attributes: Type.Optional(Attributes) });
const DecisionItem = Type.Object({
  requestId: Type.Optional(Type.String({ maxLength: limits.text })),
  subject: Subject,
  action: Type.String({ minLength: 1, maxLength: limits.id }),
  resource: Resource,
  environment: Type.Optional(Environment),
});
const RolesItem = Type.Object({
  requestId: Type.Optional(Type.String({ maxLength: limits.text })),
  subject: Subject,
  resource: Resource,
  environment: Type.Optional(Environment),
});
export const BulkBody = Type.Object({
  subject: Subject,
  action: Type.String({ minLength: 1, maxLength: limits.id }),
  resources: Type.Object({
    sharedAttributes: Type.Optional(Attributes),
    uniqueAttributes: Type.Array(Attributes, { minItems: 1, maxItems: 1000 }),
  }),
  environment: Type.Optional(Environment),
});
export const Options = Type.Object({
  explain: Type.Optional(Type.Boolean({ description: 'Return the policy that permitted, or why nothing matched.' })),
  min_revision: Type.Optional(Type.Integer({ minimum: 0, description: 'Answer from a snapshot at least this new.' })),
});

/** The `/v2/authz` response, declared so Fastify serializes it with a compiled serializer. */
const StringMap = Type.Record(Type.String(), Type.String());
const ErrorEntry = Type.Object({ transactionId: Type.String(), errors: Type.Array(Type.Record(Type.String(), Type.Unknown())) });
const DecisionResponse = Type.Object({
  responses: Type.Array(
    Type.Object({
      requestId: Type.Optional(Type.String()),
      status: Type.String(),
      authorizationDecision: Type.Optional(
        Type.Object({
          permitted: Type.Boolean(),
          reason: Type.String(),
          obligation: Type.Object({
            actions: Type.Array(Type.String()),
            maxCacheAgeSeconds: Type.Integer(),
            subject: Type.Object({ attributes: StringMap }),
            resource: Type.Object({ attributes: StringMap }),
            environment: Type.Object({ attributes: StringMap }),
          }),
          explain: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
      ),
      error: Type.Optional(ErrorEntry),
    }),
  ),
});

const Explain = Type.Record(Type.String(), Type.Unknown(), { description: 'Debug information: the matching policy, or why none matched.' });
const BulkResponse = Type.Object({
  decisions: Type.Array(
    Type.Object({
      decision: Type.Optional(Type.String()),
      reason: Type.Optional(Type.String()),
      explain: Type.Optional(Explain),
      requestId: Type.Optional(Type.String()),
      status: Type.Optional(Type.String()),
      error: Type.Optional(ErrorEntry),
    }),
  ),
});
const RoleActions = Type.Array(Type.Object({ role: Type.Object({ crn: Type.String() }), actions: Type.Array(Type.Object({ action: Type.String() })) }));
const RolesResponse = Type.Object({
  responses: Type.Array(
    Type.Object({
      requestId: Type.Optional(Type.String()),
      status: Type.String(),
      attributes: Type.Optional(StringMap),
      subjectId: Type.Optional(Type.Object({ iamId: Type.String() })),
      roleActions: Type.Optional(RoleActions),
      platformExtensions: Type.Optional(Type.Object({ roleActions: RoleActions })),
      error: Type.Optional(ErrorEntry),
    }),
  ),
  transactionId: Type.String(),
});

/** `POST /v2/authz/who-can`: the request of /v2/authz without a subject. */
export const WhoCanBody = Type.Object({
  action: Type.String({ minLength: 1, maxLength: limits.id }),
  resource: Resource,
  environment: Type.Optional(Environment),
});
export const WhoCanOptions = Type.Object({
  min_revision: Type.Optional(Type.Integer({ minimum: 0, description: 'Answer from a snapshot at least this new.' })),
});
const Grant = Type.Object({ policyId: Type.String(), role: Type.String() });
const WhoCanResponse = Type.Object({
  action: Type.String(),
  resource: Type.Object({ attributes: StringMap }),
  subjects: Type.Array(
    Type.Object({
      iamId: Type.String(),
      type: Type.Union([Type.Literal('user'), Type.Literal('serviceid'), Type.Literal('profile'), Type.Literal('crn'), Type.Literal('other')]),
      grants: Type.Array(Type.Object({ policyId: Type.String(), role: Type.String(), via: Type.String({ description: '`iam_id`, or the access group the grant comes through' }) })),
    }),
    { description: 'Every identity permitted the action: directly or as a member of an access group, now.' },
  ),
  accessGroups: Type.Array(Type.Object({ id: Type.String(), policies: Type.Array(Grant), members: Type.Array(Type.String()) })),
  everyone: Type.Array(Grant, { description: 'Policies of the Public Access group that permit it to anyone (while the account allows public access).' }),
  services: Type.Array(
    Type.Object({ policyId: Type.String(), role: Type.String(), source: Type.Object({ attributes: Type.Array(Type.Object({ key: Type.String(), operator: Type.String(), value: Type.Unknown() })) }) }),
    { description: 'Authorization policies that permit it to calling services matching their source.' },
  ),
  restrictions: Type.Array(
    Type.Object({ ruleId: Type.String(), mode: Type.String(), satisfied: Type.Optional(Type.Boolean()) }),
    { description: 'Context-based restriction rules covering the resource: they refuse, whoever asks, requests from outside their contexts; `satisfied` when an environment was given.' },
  ),
});

/** The PDP API has no SDK service: operation names are our own. */
export const operations: Operations = {
  'POST /v2/authz': { operationId: 'authorize', summary: 'Decide whether subjects may perform actions on resources', responses: { 200: DecisionResponse } },
  'PUT /v2/authz/bulk': { operationId: 'authorizeBulk', summary: 'Decide one action for one subject on many resources', responses: { 200: BulkResponse } },
  'POST /v2/authz/roles': { operationId: 'listAuthorizedRoles', summary: 'The roles and actions a subject holds on resources', responses: { 200: RolesResponse } },
  'POST /v2/authz/who-can': { operationId: 'listAuthorizedSubjects', summary: 'Who may perform an action on a resource (needs iam.policy.read on the account)', responses: { 200: WhoCanResponse } },
};

/** `/v2/authz` and `/v2/authz/roles` take 1–100 requests at once. */
export const DecisionBatch = Type.Array(DecisionItem, { minItems: 1, maxItems: 100 });
export const RolesBatch = Type.Array(RolesItem, { minItems: 1, maxItems: 100 });
