import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { styleOfPath } from '../../src/http/errors.js';
import { testDialect } from '../helpers/database.js';
import { bearerOf, newMember } from '../helpers/identities.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Fuzzing from the OpenAPI document: every route the server documents receives malformed path
 * values, query strings and bodies (wrong types, empty, huge, negative and enormous numbers,
 * invalid UTF-8, deep nesting, unknown and duplicated fields, wrong content types), as the account
 * owner and, for a share of the requests, unauthenticated. The server must never answer 5xx,
 * every refusal must be in the error shape of the API the path belongs to, a refused request must
 * write nothing (the change feed's head and the stored row count stay put), and a request that
 * breaks its route's schema (a documented limit, a type, invalid UTF-8) must never be accepted.
 *
 * Seeded (PORTCULLIS_FUZZ_SEED, printed) and bounded (PORTCULLIS_FUZZ_RUNS requests per route).
 */

const SEED = Number(process.env.PORTCULLIS_FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.PORTCULLIS_FUZZ_RUNS ?? 24);
/** Far beyond every documented length limit, well under the body limit (1 MiB). */
const HUGE = 100_000;

type Schema = {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  format?: string;
};
interface Parameter {
  in: 'path' | 'query' | 'header';
  name: string;
  required?: boolean;
  schema: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
}
interface Route {
  method: string;
  path: string;
  op: Operation;
}

/** One generated request and whether it breaks its route's declared schema (then it must be refused). */
interface Attempt {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What was malformed, for the report. */
  what: string;
  /** The request breaks the route's schema: a 2xx would be accepted garbage. */
  breaksSchema: boolean;
}

/** Real ids by `<path>:<parameter>` (or `*:<name>` for any path, and for body fields of that name). */
const realParam = new Map<string, string>();

// ── Values ──────────────────────────────────────────────────────────────────────────────────

/** A plausible valid value for a schema (the base a single mutation is applied to). */
function plausible(schema: Schema, depth = 0): unknown {
  if (schema.anyOf) return plausible(schema.anyOf[0]!, depth);
  if (schema.enum) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      return schema.format === 'date-time' ? new Date().toISOString() : 'fuzz'.padEnd(schema.minLength ?? 4, 'z');
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'array':
      return depth > 4 || !schema.items ? [] : Array.from({ length: Math.max(schema.minItems ?? 0, 1) }, () => plausible(schema.items!, depth + 1));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        const real = realParam.get(`*:${key}`);
        if (schema.required?.includes(key)) out[key] = real !== undefined && (sub.type ?? 'string') === 'string' ? real : plausible(sub, depth + 1);
      }
      return out;
    }
    default:
      return 'fuzz';
  }
}

const deepNest = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

/** Malformed replacements for a value of `schema`, each marked with whether the schema forbids it. */
function malformedFor(schema: Schema): fc.Arbitrary<{ json: string; what: string; breaks: boolean }> {
  const kind = schema.anyOf ? (schema.anyOf[0]!.type ?? 'any') : (schema.type ?? 'any');
  const typed = kind !== 'any';
  const huge = 'x'.repeat(HUGE);
  const options: Array<{ json: string; what: string; breaks: boolean }> = [
    { json: JSON.stringify({ nested: { deeper: [1, 2, 3] } }), what: 'an object', breaks: typed && kind !== 'object' },
    { json: deepNest(5000), what: 'arrays nested 5000 deep', breaks: typed && kind !== 'array' },
    { json: 'null', what: 'null', breaks: typed },
    { json: '-1', what: '-1', breaks: kind === 'object' || kind === 'array' || kind === 'boolean' || (schema.minimum ?? -Infinity) > -1 },
    { json: '99999999999999999999', what: 'an enormous number', breaks: kind === 'object' || kind === 'array' || kind === 'boolean' || (schema.maximum ?? Infinity) < 1e20 },
    { json: '1e400', what: 'an overflowing number', breaks: kind === 'object' || kind === 'array' || kind === 'boolean' || (schema.maximum ?? Infinity) < 1e20 },
    { json: '""', what: 'an empty string', breaks: ['integer', 'number', 'object', 'array', 'boolean'].includes(kind) || (schema.minLength ?? 0) > 0 || schema.enum !== undefined },
    { json: JSON.stringify(huge), what: `a ${HUGE}-character string`, breaks: typed || schema.maxLength !== undefined },
    { json: JSON.stringify('\u0000\u202e\ud83d\ude00<script>'), what: 'control and bidi characters', breaks: ['integer', 'number', 'object', 'array', 'boolean'].includes(kind) },
    { json: '"\uFFFF\uD800"', what: 'a lone surrogate', breaks: ['integer', 'number', 'object', 'array', 'boolean'].includes(kind) },
  ];
  return fc.constantFrom(...options);
}

/** Malformed query or path text (already URL-encoded where it must be). */
const malformedText = fc.constantFrom(
  { text: '', what: 'empty' },
  { text: '-1', what: '-1' },
  { text: '99999999999999999999', what: 'an enormous number' },
  { text: '1.5', what: 'a fraction' },
  { text: 'NaN', what: 'NaN' },
  { text: 'maybe', what: 'a word' },
  { text: '%FF%FE', what: 'invalid UTF-8' },
  { text: '%C0%AF', what: 'an overlong UTF-8 sequence' },
  { text: '%00', what: 'a NUL' },
  { text: '..%2F..%2Fetc%2Fpasswd', what: 'a traversal' },
  { text: 'x'.repeat(3000), what: 'a 3000-character value' },
  { text: encodeURIComponent("' OR 1=1 --"), what: 'SQL' },
  { text: '%E2%80%AE', what: 'a bidi override' },
);

/** Whether a query value breaks its parameter's schema (so the route must refuse it). */
function queryBreaks(schema: Schema, text: string): boolean {
  const kind = schema.anyOf ? (schema.anyOf[0]!.type ?? 'any') : (schema.type ?? 'any');
  const decoded = (() => {
    try {
      return decodeURIComponent(text);
    } catch {
      return undefined;
    }
  })();
  if (kind === 'integer' || kind === 'number') {
    const n = Number(decoded);
    if (decoded === undefined || decoded.trim() === '' || !Number.isFinite(n)) return true;
    if (kind === 'integer' && !Number.isInteger(n)) return true;
    return n < (schema.minimum ?? -Infinity) || n > (schema.maximum ?? Infinity) || schema.maximum === undefined;
  }
  if (kind === 'boolean') return !['true', 'false'].includes(decoded ?? '');
  if (schema.enum || schema.anyOf) return true;
  if (decoded === undefined) return true;
  if (schema.maxLength !== undefined && decoded.length > schema.maxLength) return true;
  return (schema.minLength ?? 0) > decoded.length;
}

// ── Requests ────────────────────────────────────────────────────────────────────────────────

/** Sets `value` (JSON text) at one property path of a JSON body; returns the new body text. */
function replaceAt(body: unknown, path: string[], json: string): string {
  if (path.length === 0) return json;
  const marker = `"__FUZZ_${Math.random().toString(36).slice(2)}__"`;
  const copy = structuredClone(body) as Record<string, unknown>;
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path[path.length - 1]!] = JSON.parse(marker);
  return JSON.stringify(copy).replace(marker, json);
}

/** Every property path of a plausible body (present, or declared on a present object) with the schema at that path. */
function fieldPaths(schema: Schema, value: unknown, prefix: string[] = []): Array<{ path: string[]; schema: Schema }> {
  const out = [{ path: prefix, schema }];
  const s = schema.anyOf?.[0] ?? schema;
  if (s.type === 'object' && value && typeof value === 'object') {
    for (const [key, sub] of Object.entries(s.properties ?? {})) {
      out.push(...fieldPaths(sub, (value as Record<string, unknown>)[key], [...prefix, key]));
    }
  }
  if (s.type === 'array' && Array.isArray(value) && value.length > 0 && s.items) {
    out.push(...fieldPaths(s.items, value[0], [...prefix, '0']));
  }
  return out;
}

/** Body mutations for a route with a JSON body. */
function bodyAttempt(schema: Schema): fc.Arbitrary<{ body: Buffer; contentType: string; what: string; breaks: boolean }> {
  const base = plausible(schema);
  const paths = fieldPaths(schema, base);
  const strict = (s: Schema) => (s.anyOf?.[0] ?? s).additionalProperties === false;
  const present = (path: string[]) => path.reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), base) !== undefined;
  const objectPaths = paths.filter((p) => (p.schema.anyOf?.[0] ?? p.schema).type === 'object' && present(p.path));
  const json = 'application/json';
  const text = (t: string) => Buffer.from(t, 'utf8');
  return fc.oneof(
    // One field replaced by a malformed value.
    fc.constantFrom(...paths).chain((p) =>
      malformedFor(p.schema).map((m) => ({
        body: text(replaceAt(base, p.path, m.json)),
        contentType: json,
        what: `${p.path.join('.') || '(body)'} = ${m.what}`,
        breaks: m.breaks,
      })),
    ),
    // Invalid UTF-8 inside a string field (raw bytes).
    fc.constantFrom(...paths.filter((p) => (p.schema.anyOf?.[0] ?? p.schema).type === 'string'), { path: [] as string[], schema }).map((p) => {
      const [before, after] = replaceAt(base, p.path, '"\u0001"').split('\u0001') as [string, string];
      return { body: Buffer.concat([text(before), Buffer.from([0x66, 0xff, 0xfe, 0xc3, 0x28]), text(after)]), contentType: json, what: `${p.path.join('.') || '(body)'} with invalid UTF-8`, breaks: true };
    }),
    // An unknown field, where the object is closed.
    fc.constantFrom(...(objectPaths.length ? objectPaths : [{ path: [] as string[], schema }])).map((p) => {
      const withExtra = structuredClone(base) as Record<string, unknown>;
      let at = withExtra;
      for (const key of p.path) at = at[key] as Record<string, unknown>;
      if (at && typeof at === 'object') at['__unknown_field'] = 'x';
      return { body: text(JSON.stringify(withExtra)), contentType: json, what: `unknown field in ${p.path.join('.') || '(body)'}`, breaks: strict(p.schema) };
    }),
    // Duplicated fields: a huge first value, then the plausible body's own (JSON keeps the last).
    fc.constant({
      body: text(`{"name":${JSON.stringify('d'.repeat(HUGE))},"description":1${JSON.stringify(base) === '{}' ? '}' : `,${JSON.stringify(base).slice(1)}`}`),
      contentType: json,
      what: 'duplicated fields',
      breaks: false,
    }),
    // Whole-body malformations.
    fc.constantFrom(
      { body: text(''), contentType: json, what: 'an empty body', breaks: true },
      { body: text('{"a":'), contentType: json, what: 'truncated JSON', breaks: true },
      { body: text(deepNest(20000)), contentType: json, what: 'a body of arrays nested 20000 deep', breaks: true },
      { body: text(`{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5001)}`), contentType: json, what: 'objects nested 5000 deep', breaks: strict(schema) },
      { body: text('{"__proto__":{"admin":true}}'), contentType: json, what: 'a prototype-poisoning key', breaks: true },
      { body: text(JSON.stringify(base)), contentType: 'text/plain', what: 'a text/plain body', breaks: true },
      { body: text('<xml/>'), contentType: 'application/xml', what: 'an XML body', breaks: true },
      { body: text('--x\r\n\r\n--x--'), contentType: 'multipart/form-data; boundary=x', what: 'a multipart body', breaks: true },
      { body: Buffer.alloc(2 * 1024 * 1024, 0x20), contentType: json, what: 'a 2 MiB body', breaks: true },
      { body: text(JSON.stringify([base])), contentType: json, what: 'an array instead of an object', breaks: true },
    ),
  );
}


/** A path value: a real id of the right kind (so bodies reach the service) or a malformed one. */
function pathValue(route: Route, name: string): fc.Arbitrary<{ text: string; what?: string }> {
  const real = realParam.get(`${route.path}:${name}`) ?? realParam.get(`*:${name}`) ?? 'x';
  return fc.oneof({ weight: 3, arbitrary: fc.constant({ text: encodeURIComponent(real) }) }, { weight: 1, arbitrary: malformedText.map((m) => ({ text: m.text, what: `path ${name} = ${m.what}` })) });
}

function attempts(route: Route, auth: string): fc.Arbitrary<Attempt> {
  const params = route.op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const bodySchema = route.op.requestBody?.content['application/json']?.schema;
  const formBody = route.op.requestBody?.content['application/x-www-form-urlencoded'];

  const pathArb = fc.tuple(...pathParams.map((p) => pathValue(route, p.name)));
  const queryArb: fc.Arbitrary<{ query: string; what: string[]; breaks: boolean }> = queryParams.length
    ? fc
        .subarray(queryParams, { minLength: 0, maxLength: Math.min(3, queryParams.length) })
        .chain((chosen) =>
          fc.tuple(
            ...chosen.map((p) =>
              malformedText.map((m) => ({ pair: `${p.name}=${m.text}`, what: `query ${p.name} = ${m.what}`, breaks: queryBreaks(p.schema, m.text) })),
            ),
          ),
        )
        .chain((pairs) =>
          fc.constantFrom('', '&limit=1&limit=2', '&unknown_param=%FF', `&${queryParams[0]!.name}=a&${queryParams[0]!.name}=b`).map((extra) => ({
            query: pairs.map((p) => p.pair).join('&') + extra,
            what: [...pairs.map((p) => p.what), ...(extra ? [`extra query ${extra}`] : [])],
            breaks: pairs.some((p) => p.breaks),
          })),
        )
    : fc.constant({ query: '', what: [], breaks: false });
  const bodyArb = bodySchema
    ? fc.option(bodyAttempt(bodySchema), { freq: 4, nil: undefined })
    : formBody
      ? fc.constantFrom(
          { body: Buffer.from('grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=%FF%FE'), contentType: 'application/x-www-form-urlencoded', what: 'an apikey of invalid UTF-8', breaks: false },
          { body: Buffer.from(`grant_type=${'g'.repeat(HUGE)}&apikey=x`), contentType: 'application/x-www-form-urlencoded', what: 'a huge grant_type', breaks: false },
          { body: Buffer.from('grant_type=a&grant_type=b&apikey=x&apikey=y'), contentType: 'application/x-www-form-urlencoded', what: 'duplicated form fields', breaks: false },
          { body: Buffer.from('{"apikey":"x"}'), contentType: 'application/json', what: 'a JSON body', breaks: false },
          { body: Buffer.from([0xff, 0xfe, 0x3d, 0x26]), contentType: 'application/x-www-form-urlencoded', what: 'raw invalid bytes', breaks: false },
        )
      : fc.option(bodyAttempt({ type: 'object' }).map((b) => ({ ...b, breaks: false })), { freq: 4, nil: undefined });
  const authArb = fc.constantFrom(...Array(7).fill(auth), '');

  return fc.tuple(pathArb, queryArb, bodyArb, authArb).map(([paths, query, body, authorization]) => {
    let path = route.path;
    pathParams.forEach((p, i) => {
      path = path.replace(`{${p.name}}`, paths[i]!.text);
    });
    const what = [...paths.flatMap((p) => (p.what ? [p.what] : [])), ...query.what, ...(body ? [body.what] : [])];
    return {
      method: route.method,
      url: `${path}${query.query ? `?${query.query}` : ''}`,
      headers: {
        ...(authorization ? { Authorization: authorization } : {}),
        ...(body ? { 'Content-Type': body.contentType } : {}),
        'If-Match': '*',
      },
      ...(body ? { body: body.body } : {}),
      what: what.join('; ') || 'plausible values',
      // Unauthenticated requests are refused before validation. An empty path value leaves an empty
      // segment, which routes elsewhere (`/x/{id}/versions/{v}` with an empty `v` is the versions list,
      // as the SDK's own trailing-slash URLs need): what breaks this route's schema may suit that one.
      breaksSchema: authorization !== '' && paths.every((p) => p.text !== '') && (query.breaks || (body?.breaks ?? false)),
    };
  });
}

// ── Checks ──────────────────────────────────────────────────────────────────────────────────

/** Whether `body` has the error shape of the API `path` belongs to (src/http/errors.ts, conventions.md §2). */
function hasErrorShape(path: string, status: number, body: any): boolean {
  if (!body || typeof body !== 'object') return false;
  switch (styleOfPath(path)) {
    case 'token':
      return typeof body.errorCode === 'string' && typeof body.errorMessage === 'string' && typeof body.context?.requestId === 'string';
    case 'identity':
      return body.status_code === String(status) && Array.isArray(body.errors) && typeof body.errors[0]?.code === 'string' && typeof body.errors[0]?.message === 'string';
    case 'resource-controller':
      return body.status_code === status && typeof body.error_code === 'string' && typeof body.message === 'string';
    default:
      return body.status_code === status && typeof body.trace === 'string' && Array.isArray(body.errors) && typeof body.errors[0]?.code === 'string' && typeof body.errors[0]?.message === 'string';
  }
}

describe(`fuzzing every documented route (${testDialect()})`, () => {
  let server: TestServer;
  let routes: Route[];
  let bearer: string;

  beforeAll(async () => {
    server = await startTestServer();
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
    bearer = await bearerOf(server.url, server.owner.apikey);
    await seed();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Real entities, so that bodies and queries reach the services behind real ids. */
  async function seed() {
    const call = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${server.url}${path}`, { method, headers: { Authorization: bearer, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status, `seeding ${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
      return (await res.json()) as Record<string, any>;
    };
    const { accountId, iamId } = server.owner;
    const member = await newMember(server, accountId);
    const serviceId = await call('POST', '/v1/serviceids', { account_id: accountId, name: 'fuzz-sid' });
    const apikey = await call('POST', '/v1/apikeys', { name: 'fuzz-key', iam_id: serviceId.iam_id, account_id: accountId });
    const sidGroup = await call('POST', '/v1/serviceid_groups', { account_id: accountId, name: 'fuzz-sid-group' });
    const group = await call('POST', `/v2/groups?account_id=${accountId}`, { name: 'fuzz-group' });
    const rule = await call('POST', `/v2/groups/${group.id}/rules`, { expiration: 12, realm_name: 'https://idp.example.com', conditions: [{ claim: 'g', operator: 'EQUALS', value: '"x"' }] });
    const rg = await call('POST', '/v2/resource_groups', { name: 'fuzz-rg' });
    const policy = await call('POST', '/v1/policies', {
      type: 'access',
      subjects: [{ attributes: [{ name: 'iam_id', value: member.iamId }] }],
      roles: [{ role_id: 'crn:v1:bluemix:public:iam::::role:Viewer' }],
      resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'kms' }] }],
    });
    const zone = await call('POST', '/v1/zones', { name: 'fuzz-zone', account_id: accountId, addresses: [{ type: 'ipAddress', value: '192.0.2.1' }] });
    const cbrRule = await call('POST', '/v1/rules', {
      contexts: [{ attributes: [{ name: 'networkZoneId', value: zone.id }] }],
      resources: [{ attributes: [{ name: 'accountId', value: accountId }, { name: 'serviceName', value: 'kms' }] }],
      enforcement_mode: 'disabled',
    });
    const trustedIssuer = await call('POST', '/v1/trusted_issuers', {
      account_id: accountId,
      name: 'fuzz-issuer',
      type: 'kubernetes',
      issuer: 'https://fuzz.example.com',
      audiences: ['portcullis'],
      jwks_url: 'https://fuzz.example.com/openid/v1/jwks',
    });
    const identityProvider = await call('POST', '/v1/identity_providers', { account_id: accountId, name: 'fuzz-idp', protocol: 'oidc', issuer: 'https://idp.fuzz.example.com', client_id: 'portcullis' });
    const role = await call('POST', '/v2/roles', { name: 'FuzzReader', display_name: 'Fuzz', account_id: accountId, service_name: 'iam-groups', actions: ['iam-groups.groups.read'] });
    const profile = await call('POST', '/v1/profiles', { account_id: accountId, name: 'fuzz-profile' });
    const claimRule = await call('POST', `/v1/profiles/${profile.id}/rules`, { type: 'Profile-CR', cr_type: 'IKS_SA', conditions: [{ claim: 'namespace', operator: 'EQUALS', value: '"fuzz"' }] });
    const link = await call('POST', `/v1/profiles/${profile.id}/links`, { cr_type: 'VSI', link: { crn: `crn:v1:bluemix:public:is:us-south:a/${accountId}::instance:fuzz` } });
    await call('POST', `/v1/profiles/${profile.id}/identities/user`, { identifier: member.iamId, type: 'user' });
    const s2s = {
      type: 'authorization',
      subject: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'iam-groups' }] },
      resource: { attributes: [{ key: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' }] },
      control: { grant: { roles: [{ role_id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader' }] } },
    };
    const policyTemplate = await call('POST', '/v1/policy_templates', { account_id: accountId, name: 'fuzz-template', policy: s2s });
    const acTemplate = await call('POST', '/v1/action_control_templates', { account_id: accountId, name: 'fuzz-ac' });
    const roleTemplate = await call('POST', '/v1/role_templates', { account_id: accountId, name: 'fuzz-role' });
    const template = await call('POST', '/v1/group_templates', { name: 'fuzz-template', account_id: accountId, group: { name: 'fuzz-managed' } });
    const settingsTemplate = await call('POST', '/v1/account_settings_templates', { name: 'fuzz-settings', account_id: accountId, account_settings: { mfa: 'NONE' } });
    const profileTemplate = await call('POST', '/v1/profile_templates', { name: 'fuzz-profile-template', account_id: accountId, profile: { name: 'fuzz-managed-profile' } });
    const set = (key: string, value: string) => realParam.set(key, value);
    set('*:account_id', accountId);
    set('*:iam_id', member.iamId);
    set('*:access_group_id', group.id);
    set('*:rule_id', rule.id);
    set('*:name', 'fuzz-service');
    set('*:*', role.id);
    set('*:enterprise_id', 'f'.repeat(32));
    set('*:account_group_id', 'f'.repeat(32));
    set('*:action_name', 'restore');
    for (const path of ['/v1/apikeys/{id}', '/v1/apikeys/{id}/lock', '/v1/apikeys/{id}/disable']) set(`${path}:id`, apikey.id);
    for (const path of ['/v1/serviceids/{id}', '/v1/serviceids/{id}/lock']) set(`${path}:id`, serviceId.id);
    set('/v1/serviceid_groups/{id}:id', sidGroup.id);
    set('/v2/resource_groups/{id}:id', rg.id);
    set('/v1/zones/{zone_id}:zone_id', zone.id);
    set('/v1/rules/{rule_id}:rule_id', cbrRule.id);
    set('/v1/zones/serviceref_targets/{service_name}:service_name', 'containers-kubernetes');
    set('/v1/trusted_issuers/{id}:id', trustedIssuer.id);
    set('/v1/identity_providers/{id}:id', identityProvider.id);
    // Assignments are left unnamed: an accepted one runs in the background, which the footprint would see.
    set('*:template_id', template.id);
    set('*:version_num', '1');
    for (const path of ['/v1/policies/{id}', '/v2/policies/{id}']) set(`${path}:id`, policy.id);
    set('*:policy_template_id', policyTemplate.id);
    set('*:action_control_template_id', acTemplate.id);
    set('*:role_template_id', roleTemplate.id);
    set('*:version', '1');
    for (const path of ['/v1/account_settings_templates/{template_id}', '/v1/account_settings_templates/{template_id}/versions', '/v1/account_settings_templates/{template_id}/versions/{version}', '/v1/account_settings_templates/{template_id}/versions/{version}/commit']) {
      set(`${path}:template_id`, settingsTemplate.id);
    }
    for (const path of ['/v1/profile_templates/{template_id}', '/v1/profile_templates/{template_id}/versions', '/v1/profile_templates/{template_id}/versions/{version}', '/v1/profile_templates/{template_id}/versions/{version}/commit']) {
      set(`${path}:template_id`, profileTemplate.id);
    }
    set('/v2/accounts/{account_id}/users/{iam_id}:iam_id', iamId === member.iamId ? iamId : member.iamId);
    set('*:profile_id', profile.id);
    set('/v1/profiles/{profile_id}/rules/{rule_id}:rule_id', claimRule.id);
    set('*:link_id', link.id);
    set('*:identity_type', 'user');
    set('*:identifier_id', member.iamId);
  }

  /** What a refused request must not change: the feed's head and the number of stored rows. */
  async function footprint(): Promise<string> {
    const db = server.server.registry.database.db;
    const tables = ['accounts', 'users', 'account_users', 'service_ids', 'service_id_groups', 'api_keys', 'account_settings', 'entity_history', 'policies', 'policy_tags', 'custom_roles', 'access_management_settings', 'access_groups', 'access_group_members', 'access_group_rules', 'access_group_settings', 'resource_groups', 'resource_instances', 'reclamations', 'enterprises', 'account_groups', 'enterprise_accounts', 'catalog_services', 'trusted_profiles', 'profile_claim_rules', 'profile_links', 'profile_identities', 'trusted_issuers', 'federation_idps', 'cbr_zones', 'cbr_rules', 'templates', 'template_versions', 'template_assignments', 'template_assignment_resources', 'template_action_controls', 'changes'];
    const counts = tables.map((t) => `(SELECT COUNT(*) FROM ${t})`).join(' + ');
    const { rows } = await sql<{ head: number | string; n: number | string }>`SELECT (SELECT revision FROM feed_head WHERE id = 1) AS head, ${sql.raw(counts)} AS n`.execute(db);
    return `${Number(rows[0]!.head)}/${Number(rows[0]!.n)}`;
  }

  it('never answers 5xx, refuses in the API\'s shape, writes nothing when refusing, accepts no garbage', { timeout: 600_000 }, async () => {
    const started = Date.now();
    const findings: string[] = [];
    let sent = 0;
    let serverErrors = 0;
    let writes = 0;
    let garbage = 0;
    let accepted = 0;
    for (const [i, route] of routes.entries()) {
      const samples = fc.sample(attempts(route, bearer), { seed: SEED + i, numRuns: RUNS });
      for (const attempt of samples) {
        const before = await footprint();
        const response = await fetch(`${server.url}${attempt.url}`, {
          method: attempt.method,
          headers: attempt.headers,
          ...(attempt.body && !['GET', 'HEAD'].includes(attempt.method) ? { body: attempt.body } : {}),
        }).catch((error: Error) => ({ status: 599, text: async () => String(error) }) as unknown as Response);
        sent++;
        const text = await response.text();
        if (response.status < 300) accepted++;
        const label = `${attempt.method} ${route.path} [${attempt.what}] → ${response.status}`;
        if (response.status >= 500) {
          serverErrors++;
          findings.push(`5xx: ${label} ${text.slice(0, 200)}`);
          continue;
        }
        if (response.status >= 400) {
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          // A HEAD answer has no body (RFC 9110 §9.3.2): only its status can be checked.
          if (attempt.method !== 'HEAD' && !hasErrorShape(route.path, response.status, body)) findings.push(`shape: ${label} ${text.slice(0, 200)}`);
          const after = await footprint();
          if (after !== before) {
            writes++;
            findings.push(`write: ${label} (head/rows ${before} → ${after})`);
          }
        } else if (attempt.breaksSchema) {
          garbage++;
          findings.push(`garbage accepted: ${label}`);
        }
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `fuzz on ${testDialect()}: seed ${SEED}, ${routes.length} routes, ${sent} requests (${accepted} accepted) in ${seconds} s; ` +
        `5xx ${serverErrors}, writes by refused requests ${writes}, garbage accepted ${garbage}, findings ${findings.length}`,
    );
    expect(findings, `seed ${SEED}`).toEqual([]);
  });
});
