/**
 * The shape of a decision case file (test/pdp/cases/*.yaml), as a JSON-Schema subset, and the
 * small validator that checks it, so a typo in a case file fails loudly instead of testing nothing.
 */
export type Schema =
  | { type: 'string'; enum?: string[] }
  | { type: 'boolean' }
  | { type: 'number' }
  | { type: 'array'; items: Schema; minItems?: number }
  | { type: 'object'; properties: Record<string, Schema>; required?: string[]; additionalProperties?: false }
  | { type: 'map'; values: Schema }
  | { anyOf: Schema[] }
  | { type: 'any' };

const str: Schema = { type: 'string' };
const strMap: Schema = { type: 'map', values: str };
const any: Schema = { type: 'any' };
const condition: Schema = {
  type: 'object',
  properties: { key: str, operator: str, value: any },
  required: ['key', 'value'],
  additionalProperties: false,
};
const attributes: Schema = { anyOf: [{ type: 'map', values: { anyOf: [str, { type: 'boolean' }, { type: 'array', items: str }] } }, { type: 'array', items: condition }] };

const policy: Schema = {
  type: 'object',
  properties: {
    id: str,
    account: str,
    type: { type: 'string', enum: ['access', 'authorization'] },
    state: { type: 'string', enum: ['active', 'deleted'] },
    subject: {
      type: 'object',
      properties: { iam_id: str, access_group_id: str, service: attributes },
      additionalProperties: false,
    },
    resource: attributes,
    tags: attributes,
    roles: { type: 'array', items: str, minItems: 1 },
    rule: any,
    pattern: str,
    /** A raw v1 or v2 wire body instead of the fields above. */
    wire: any,
    /** The policy API must refuse the policy with a message containing this text. */
    refused: str,
  },
  required: ['id'],
  additionalProperties: false,
};

const decisionCase: Schema = {
  type: 'object',
  properties: {
    name: str,
    now: str,
    subject: { anyOf: [str, { type: 'object', properties: { id: str, attributes: strMap }, additionalProperties: false }] },
    action: str,
    resource: strMap,
    tags: { type: 'map', values: { type: 'array', items: str } },
    environment: strMap,
    expect: { type: 'string', enum: ['permit', 'deny'] },
    cause: str,
    policy: str,
    role: str,
    /** The context-based restriction rule that refuses the request (a `context_restricted` deny). */
    restrictedBy: str,
    /** The report-only rule that would have refused the permitted request. */
    reportedBy: str,
    /** The enterprise action control that takes the permitted action away (an `action_controlled` deny). */
    controlledBy: str,
  },
  required: ['name', 'subject', 'action', 'resource', 'expect'],
  additionalProperties: false,
};

export const caseFileSchema: Schema = {
  type: 'object',
  properties: {
    description: str,
    account: str,
    now: str,
    services: { type: 'array', items: any },
    customRoles: {
      type: 'array',
      items: {
        type: 'object',
        properties: { name: str, account: str, serviceName: str, actions: { type: 'array', items: str, minItems: 1 } },
        required: ['name', 'serviceName', 'actions'],
        additionalProperties: false,
      },
    },
    publicAccess: { type: 'map', values: { type: 'boolean' } },
    instances: { type: 'map', values: strMap },
    memberships: {
      type: 'array',
      items: {
        type: 'object',
        properties: { account: str, group: str, iamId: str, expiresAt: str },
        required: ['group', 'iamId'],
        additionalProperties: false,
      },
    },
    policies: { type: 'array', items: policy },
    /** Network zones as `POST /v1/zones` bodies, with their id (account_id defaults to the file's account). */
    zones: { type: 'array', items: any },
    /** Context-based restriction rules as `POST /v1/rules` bodies, with their id. */
    rules: { type: 'array', items: any },
    /**
     * Enterprise action controls: the `action_control` of an action-control template version
     * (`POST /v1/action_control_templates`), as an assignment holds it in the child `account`.
     */
    actionControls: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: str, account: str, action_control: any },
        required: ['id', 'action_control'],
        additionalProperties: false,
      },
    },
    cases: { type: 'array', items: decisionCase, minItems: 1 },
  },
  required: ['description', 'cases'],
  additionalProperties: false,
};

/** Returns the problems found, as `path: message` strings. */
export function validate(value: unknown, schema: Schema, path = '$'): string[] {
  if ('anyOf' in schema) {
    const results = schema.anyOf.map((s) => validate(value, s, path));
    return results.some((r) => r.length === 0) ? [] : [`${path}: matches none of the allowed shapes (${results.map((r) => r[0]).join(' | ')})`];
  }
  switch (schema.type) {
    case 'any':
      return [];
    case 'string':
      if (typeof value !== 'string') return [`${path}: expected a string`];
      return schema.enum && !schema.enum.includes(value) ? [`${path}: expected one of ${schema.enum.join(', ')}`] : [];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${path}: expected a boolean`];
    case 'number':
      return typeof value === 'number' ? [] : [`${path}: expected a number`];
    case 'array':
      if (!Array.isArray(value)) return [`${path}: expected a list`];
      if (schema.minItems !== undefined && value.length < schema.minItems) return [`${path}: expected at least ${schema.minItems} items`];
      return value.flatMap((v, i) => validate(v, schema.items, `${path}[${i}]`));
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected a mapping`];
      return Object.entries(value).flatMap(([k, v]) => validate(v, schema.values, `${path}.${k}`));
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path}: expected an object`];
      const record = value as Record<string, unknown>;
      const problems = (schema.required ?? []).filter((k) => !(k in record)).map((k) => `${path}.${k}: required`);
      for (const [k, v] of Object.entries(record)) {
        const child = schema.properties[k];
        if (child) problems.push(...validate(v, child, `${path}.${k}`));
        else if (schema.additionalProperties === false) problems.push(`${path}.${k}: unknown property`);
      }
      return problems;
    }
  }
}
