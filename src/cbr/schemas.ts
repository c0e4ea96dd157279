import { Type } from '@sinclair/typebox';
import { limits } from '../kernel/limits.js';
import { created, noContent, ok, type Operations } from '../http/openapi.js';

/** Request and response schemas of the CBR API v1 (the SDK's ContextBasedRestrictionsV1 models). */

const Id = Type.String({ maxLength: limits.id });
const Text = Type.String({ maxLength: limits.text });
const S = Type.String();

const IpLike = <T extends 'ipAddress' | 'ipRange' | 'subnet' | 'vpc' | 'instance'>(type: T) => Type.Object({ type: Type.Literal(type), value: Type.String({ minLength: 1, maxLength: limits.id }) }, { additionalProperties: false });
const ServiceRefValue = Type.Object(
  {
    account_id: Type.String({ minLength: 1, maxLength: limits.id }),
    service_type: Type.Optional(Id),
    service_name: Type.Optional(Id),
    service_instance: Type.Optional(Id),
    location: Type.Optional(Id),
  },
  { additionalProperties: false },
);
const ServiceRef = Type.Object({ type: Type.Literal('serviceRef'), ref: ServiceRefValue }, { additionalProperties: false });

export const Address = Type.Union([IpLike('ipAddress'), IpLike('ipRange'), IpLike('subnet'), IpLike('vpc'), IpLike('instance'), ServiceRef], { title: 'Address' });
export const ExcludedAddress = Type.Union([IpLike('ipAddress'), IpLike('ipRange'), IpLike('subnet')]);

export const ZoneBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 128 }),
  account_id: Type.String({ minLength: 1, maxLength: limits.id }),
  addresses: Type.Array(Address, { minItems: 1, maxItems: 1000 }),
  description: Type.Optional(Type.String({ maxLength: 300 })),
  excluded: Type.Optional(Type.Array(ExcludedAddress, { maxItems: 1000 })),
});

const AttributeItem = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: limits.id }), value: Type.String({ maxLength: limits.text }), operator: Type.Optional(Id) },
  { additionalProperties: false },
);
const ContextAttribute = Type.Object({ name: Type.String({ minLength: 1, maxLength: limits.id }), value: Type.String({ minLength: 1, maxLength: limits.opaque }) }, { additionalProperties: false });

export const RuleBody = Type.Object({
  description: Type.Optional(Type.String({ maxLength: 300 })),
  contexts: Type.Array(Type.Object({ attributes: Type.Array(ContextAttribute, { maxItems: 10 }) }, { additionalProperties: false }), { maxItems: 100 }),
  resources: Type.Array(
    Type.Object({ attributes: Type.Array(AttributeItem, { minItems: 1, maxItems: 20 }), tags: Type.Optional(Type.Array(AttributeItem, { maxItems: 20 })) }, { additionalProperties: false }),
    { minItems: 1, maxItems: 10 },
  ),
  operations: Type.Optional(
    Type.Object({ api_types: Type.Array(Type.Object({ api_type_id: Type.String({ minLength: 1, maxLength: limits.id }) }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }) }, { additionalProperties: false }),
  ),
  enforcement_mode: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('report')])),
});

export const ZoneParams = Type.Object({ zone_id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const RuleParams = Type.Object({ rule_id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const AccountParams = Type.Object({ account_id: Type.String({ minLength: 1, maxLength: limits.id }) });
export const TargetParams = Type.Object({ service_name: Type.String({ minLength: 1, maxLength: limits.id }) });

export const ZoneQuery = Type.Object({
  account_id: Type.String({ minLength: 1, maxLength: limits.id }),
  name: Type.Optional(Text),
  sort: Type.Optional(Id),
});

export const RuleQuery = Type.Object({
  account_id: Type.String({ minLength: 1, maxLength: limits.id }),
  region: Type.Optional(Id),
  resource: Type.Optional(Id),
  resource_type: Type.Optional(Id),
  service_instance: Type.Optional(Id),
  service_name: Type.Optional(Id),
  service_type: Type.Optional(Id),
  service_group_id: Type.Optional(Id),
  zone_id: Type.Optional(Id),
  sort: Type.Optional(Id),
  enforcement_mode: Type.Optional(Type.Union([Type.Literal('enabled'), Type.Literal('disabled'), Type.Literal('report')])),
});

export const TargetsQuery = Type.Object({ type: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('platform_service')])) });
export const OperationsQuery = Type.Object({ service_name: Type.Optional(Id), service_group_id: Type.Optional(Id), resource_type: Type.Optional(Id) });

// Responses

const AddressOut = Type.Object(
  { type: S, value: Type.Optional(S), ref: Type.Optional(Type.Object({ account_id: S, service_type: Type.Optional(S), service_name: Type.Optional(S), service_instance: Type.Optional(S), location: Type.Optional(S) })) },
  { title: 'Address' },
);
const Stamps = {
  href: S,
  created_at: S,
  created_by_id: S,
  last_modified_at: S,
  last_modified_by_id: S,
};

export const ZoneOut = Type.Object(
  { id: S, crn: S, address_count: Type.Integer(), excluded_count: Type.Integer(), name: S, account_id: S, description: S, addresses: Type.Array(AddressOut), excluded: Type.Array(AddressOut), ...Stamps },
  { title: 'Zone' },
);
export const ZoneListOut = Type.Object(
  {
    count: Type.Integer(),
    zones: Type.Array(
      Type.Object({ id: S, crn: S, name: S, description: Type.Optional(S), addresses_preview: Type.Array(AddressOut), address_count: Type.Integer(), excluded_count: Type.Integer(), ...Stamps }, { title: 'ZoneSummary' }),
    ),
  },
  { title: 'ZoneList' },
);

const AttributeOut = Type.Object({ name: S, value: S, operator: Type.Optional(S) });
export const RuleOut = Type.Object(
  {
    id: S,
    crn: S,
    description: S,
    contexts: Type.Array(Type.Object({ attributes: Type.Array(Type.Object({ name: S, value: S })) })),
    resources: Type.Array(Type.Object({ attributes: Type.Array(AttributeOut), tags: Type.Optional(Type.Array(AttributeOut)) })),
    operations: Type.Optional(Type.Object({ api_types: Type.Array(Type.Object({ api_type_id: S })) })),
    enforcement_mode: S,
    ...Stamps,
  },
  { title: 'Rule' },
);
export const RuleListOut = Type.Object({ count: Type.Integer(), rules: Type.Array(RuleOut) }, { title: 'RuleList' });

const TargetOut = Type.Object(
  {
    service_name: S,
    service_type: Type.Optional(S),
    display_name: Type.Optional(S),
    locations: Type.Optional(Type.Array(Type.Object({ name: S, display_name: Type.Optional(S), kind: Type.Optional(S) }))),
  },
  { title: 'ServiceRefTarget' },
);
export const TargetListOut = Type.Object({ count: Type.Integer(), targets: Type.Array(TargetOut) }, { title: 'ServiceRefTargetList' });
export { TargetOut };

export const OperationsOut = Type.Object(
  {
    api_types: Type.Array(
      Type.Object({
        api_type_id: S,
        display_name: S,
        description: S,
        type: S,
        actions: Type.Array(Type.Object({ action_id: S, description: S })),
        enforcement_modes: Type.Optional(Type.Array(S)),
      }),
    ),
  },
  { title: 'OperationsList' },
);

export const AccountSettingsOut = Type.Object(
  {
    id: S,
    crn: S,
    rule_count_limit: Type.Integer(),
    zone_count_limit: Type.Integer(),
    tags_rule_count_limit: Type.Integer(),
    current_rule_count: Type.Integer(),
    current_zone_count: Type.Integer(),
    current_tags_rule_count: Type.Integer(),
    href: S,
  },
  { title: 'AccountSettings' },
);

export const operations: Operations = {
  'POST /v1/zones': { operationId: 'createZone', summary: 'Create a network zone', responses: created(ZoneOut) },
  'GET /v1/zones': { operationId: 'listZones', summary: 'List network zones', responses: ok(ZoneListOut) },
  'GET /v1/zones/:zone_id': { operationId: 'getZone', summary: 'Get a network zone', responses: ok(ZoneOut) },
  'PUT /v1/zones/:zone_id': { operationId: 'replaceZone', summary: 'Replace a network zone', responses: ok(ZoneOut) },
  'DELETE /v1/zones/:zone_id': { operationId: 'deleteZone', summary: 'Delete a network zone', responses: noContent },
  'GET /v1/zones/serviceref_targets': { operationId: 'listAvailableServicerefTargets', summary: 'List the services a zone may reference', responses: ok(TargetListOut) },
  'GET /v1/zones/serviceref_targets/:service_name': { operationId: 'getServicerefTarget', summary: 'Get a service reference target', responses: ok(TargetOut) },
  'POST /v1/rules': { operationId: 'createRule', summary: 'Create a rule', responses: created(RuleOut) },
  'GET /v1/rules': { operationId: 'listRules', summary: 'List rules', responses: ok(RuleListOut) },
  'GET /v1/rules/:rule_id': { operationId: 'getRule', summary: 'Get a rule', responses: ok(RuleOut) },
  'PUT /v1/rules/:rule_id': { operationId: 'replaceRule', summary: 'Replace a rule', responses: ok(RuleOut) },
  'DELETE /v1/rules/:rule_id': { operationId: 'deleteRule', summary: 'Delete a rule', responses: noContent },
  'GET /v1/account_settings/:account_id': { operationId: 'getCbrAccountSettings', summary: 'Get the CBR settings of an account', responses: ok(AccountSettingsOut) },
  'GET /v1/operations': { operationId: 'listAvailableServiceOperations', summary: 'List the API types of services', responses: ok(OperationsOut) },
};
