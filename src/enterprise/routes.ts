import { describeOperations, type Operations } from '../http/openapi.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { limitParam } from '../http/query.js';
import type { Authenticator } from '../kernel/principal.js';
import { ENTERPRISE_LIMITS, docPage } from './paging.js';
import type { EnterpriseService } from './service.js';
import type { AccountGroup, Enterprise, EnterpriseAccount } from './types.js';
import { limits } from '../kernel/limits.js';

export interface EnterpriseRoutesDeps {
  enterprise: EnterpriseService;
  authenticator: Authenticator;
}

/**
 * Enterprise Management v1. The SDK's default base URL carries the version
 * (`https://enterprise.cloud.ibm.com/v1`), so its paths are `/enterprises…`; here they live under
 * `/v1` and clients use `serviceUrl: <server>/v1`.
 */
const BASE = '/v1';
const config = { errorStyle: 'handbook' as const };
const tags = ['Enterprise Management'];

function enterpriseWire(e: Enterprise) {
  return {
    url: `${BASE}/enterprises/${e.id}`,
    id: e.id,
    enterprise_account_id: e.accountId,
    crn: e.crn,
    name: e.name,
    ...(e.domain !== null ? { domain: e.domain } : {}),
    state: e.state,
    primary_contact_iam_id: e.primaryContactIamId,
    primary_contact_email: e.primaryContactEmail ?? '',
    source_account_id: e.sourceAccountId,
    created_at: e.createdAt,
    created_by: e.createdBy,
    updated_at: e.updatedAt,
    updated_by: e.updatedBy,
  };
}

function accountWire(a: EnterpriseAccount) {
  return {
    url: `${BASE}/accounts/${a.id}`,
    id: a.id,
    crn: a.crn,
    parent: a.parent,
    enterprise_account_id: a.enterpriseAccountId,
    enterprise_id: a.enterpriseId,
    enterprise_path: a.path,
    name: a.name,
    state: a.state,
    owner_iam_id: a.ownerIamId,
    paid: true,
    owner_email: a.ownerEmail ?? '',
    is_enterprise_account: a.isEnterpriseAccount,
    ...(a.traits ? { traits: { mfa: a.traits.mfa, enterprise_iam_managed: a.traits.enterpriseIamManaged } } : {}),
    created_at: a.createdAt,
    created_by: a.createdBy,
    updated_at: a.updatedAt,
    updated_by: a.updatedBy,
  };
}

function groupWire(g: AccountGroup) {
  return {
    url: `${BASE}/account-groups/${g.id}`,
    id: g.id,
    crn: g.crn,
    parent: g.parent,
    enterprise_account_id: g.enterpriseAccountId,
    enterprise_id: g.enterpriseId,
    enterprise_path: g.path,
    name: g.name,
    state: g.state,
    primary_contact_iam_id: g.primaryContactIamId,
    primary_contact_email: g.primaryContactEmail ?? '',
    created_at: g.createdAt,
    created_by: g.createdBy,
    updated_at: g.updatedAt,
    updated_by: g.updatedBy,
  };
}

const S = Type.String();
const audit = { created_at: S, created_by: S, updated_at: S, updated_by: S };
const EnterpriseSchema = Type.Object(
  {
    url: S,
    id: S,
    enterprise_account_id: S,
    crn: S,
    name: S,
    domain: Type.Optional(S),
    state: S,
    primary_contact_iam_id: S,
    primary_contact_email: S,
    source_account_id: S,
    ...audit,
  },
  { title: 'Enterprise' },
);
/** What an account and an account group of an enterprise both carry: their place in its tree. */
const inEnterprise = {
  url: S,
  id: S,
  crn: S,
  parent: S,
  enterprise_account_id: S,
  enterprise_id: S,
  enterprise_path: S,
  name: S,
  state: S,
};
const AccountSchema = Type.Object(
  {
    ...inEnterprise,
    owner_iam_id: S,
    paid: Type.Boolean(),
    owner_email: S,
    is_enterprise_account: Type.Boolean(),
    traits: Type.Optional(Type.Object({ mfa: S, enterprise_iam_managed: Type.Boolean() })),
    ...audit,
  },
  { title: 'Account' },
);
const AccountGroupSchema = Type.Object(
  {
    ...inEnterprise,
    primary_contact_iam_id: S,
    primary_contact_email: S,
    ...audit,
  },
  { title: 'AccountGroup' },
);
const list = (item: TSchema, title: string) =>
  Type.Object({ rows_count: Type.Integer(), next_url: Type.Union([S, Type.Null()]), resources: Type.Array(item) }, { title });

const operations: Operations = {
  'POST /v1/enterprises': {
    operationId: 'createEnterprise',
    summary: 'Create an enterprise from an account',
    responses: { 202: Type.Object({ enterprise_id: S, enterprise_account_id: S }, { title: 'CreateEnterpriseResponse' }) },
  },
  'GET /v1/enterprises': { operationId: 'listEnterprises', summary: 'List enterprises', responses: { 200: list(EnterpriseSchema, 'ListEnterprisesResponse') } },
  'GET /v1/enterprises/:enterprise_id': { operationId: 'getEnterprise', summary: 'Get an enterprise', responses: { 200: EnterpriseSchema } },
  'PATCH /v1/enterprises/:enterprise_id': { operationId: 'updateEnterprise', summary: 'Update an enterprise', responses: { 204: null } },
  'PUT /v1/enterprises/:enterprise_id/import/accounts/:account_id': {
    operationId: 'importAccountToEnterprise',
    summary: 'Import an existing account into an enterprise',
    responses: { 202: null },
  },
  'POST /v1/accounts': {
    operationId: 'createAccount',
    summary: 'Create an account in an enterprise',
    responses: {
      202: Type.Object(
        { account_id: S, iam_service_id: Type.Optional(S), iam_apikey_id: Type.Optional(S), iam_apikey: Type.Optional(S) },
        { title: 'CreateAccountResponse' },
      ),
    },
  },
  'GET /v1/accounts': { operationId: 'listAccounts', summary: 'List the accounts of an enterprise', responses: { 200: list(AccountSchema, 'ListAccountsResponse') } },
  'GET /v1/accounts/:account_id': { operationId: 'getAccount', summary: 'Get an enterprise account', responses: { 200: AccountSchema } },
  'PATCH /v1/accounts/:account_id': { operationId: 'updateAccount', summary: 'Move an account to another parent', responses: { 202: null } },
  'DELETE /v1/accounts/:account_id': { operationId: 'deleteAccount', summary: 'Delete an enterprise account', responses: { 204: null } },
  'POST /v1/account-groups': {
    operationId: 'createAccountGroup',
    summary: 'Create an account group',
    responses: { 201: Type.Object({ account_group_id: S }, { title: 'CreateAccountGroupResponse' }) },
  },
  'GET /v1/account-groups': {
    operationId: 'listAccountGroups',
    summary: 'List account groups',
    responses: { 200: list(AccountGroupSchema, 'ListAccountGroupsResponse') },
  },
  'GET /v1/account-groups/:account_group_id': { operationId: 'getAccountGroup', summary: 'Get an account group', responses: { 200: AccountGroupSchema } },
  'PATCH /v1/account-groups/:account_group_id': { operationId: 'updateAccountGroup', summary: 'Update an account group', responses: { 204: null } },
  'DELETE /v1/account-groups/:account_group_id': { operationId: 'deleteAccountGroup', summary: 'Delete an account group', responses: { 204: null } },
};

const Text = Type.String({ minLength: 1, maxLength: limits.id });
/** Where a page starts; empty (what the SDK sends for the first page) means the beginning. */
const NextDocid = Type.String({ maxLength: 128 });
const Limit = Type.Optional(limitParam(ENTERPRISE_LIMITS));
const strict = { additionalProperties: false };

const EnterpriseCreate = Type.Object(
  { source_account_id: Text, name: Text, primary_contact_iam_id: Text, domain: Type.Optional(Type.String({ maxLength: limits.text })) },
  strict,
);
const EnterpriseList = Type.Object({
  enterprise_account_id: Type.Optional(Text),
  account_group_id: Type.Optional(Text),
  account_id: Type.Optional(Text),
  next_docid: Type.Optional(NextDocid),
  limit: Limit,
});
const EnterpriseUpdate = Type.Object(
  { name: Type.Optional(Text), domain: Type.Optional(Type.String({ maxLength: limits.text })), primary_contact_iam_id: Type.Optional(Text) },
  strict,
);
const ImportBody = Type.Optional(Type.Object({ parent: Type.Optional(Text), billing_unit_id: Type.Optional(Type.String({ maxLength: limits.text })) }, strict));
const AccountCreate = Type.Object(
  {
    parent: Text,
    name: Text,
    owner_iam_id: Text,
    traits: Type.Optional(
      Type.Object({ mfa: Type.Optional(Type.String({ maxLength: 32 })), enterprise_iam_managed: Type.Optional(Type.Boolean()) }, strict),
    ),
    options: Type.Optional(Type.Object({ create_iam_service_id_with_apikey_and_owner_policies: Type.Optional(Type.Boolean()) }, strict)),
  },
  strict,
);
const AccountList = Type.Object({
  enterprise_id: Type.Optional(Text),
  account_group_id: Type.Optional(Text),
  next_docid: Type.Optional(NextDocid),
  parent: Type.Optional(Text),
  limit: Limit,
  include_deleted: Type.Optional(Type.Boolean()),
});
const GroupCreate = Type.Object({ parent: Text, name: Text, primary_contact_iam_id: Text }, strict);
const GroupList = Type.Object({
  enterprise_id: Type.Optional(Text),
  parent_account_group_id: Type.Optional(Text),
  next_docid: Type.Optional(NextDocid),
  parent: Type.Optional(Text),
  limit: Limit,
  include_deleted: Type.Optional(Type.Boolean()),
});
const GroupUpdate = Type.Object({ name: Type.Optional(Text), primary_contact_iam_id: Type.Optional(Text) }, strict);

export function enterpriseRoutes(deps: EnterpriseRoutesDeps): FastifyPluginAsync {
  const { enterprise } = deps;
  return async (plugin) => {
    const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
    requireBearer(plugin, deps.authenticator);
    describeOperations(plugin, 'handbook', tags, operations);

    app.post(`${BASE}/enterprises`, { config, schema: { tags, body: EnterpriseCreate } }, async (request, reply) => {
      const b = request.body;
      const created = await enterprise.createEnterprise(actorOf(request), {
        sourceAccountId: b.source_account_id,
        name: b.name,
        primaryContactIamId: b.primary_contact_iam_id,
        domain: b.domain,
      });
      return reply.status(202).send({ enterprise_id: created.enterpriseId, enterprise_account_id: created.enterpriseAccountId });
    });

    app.get(`${BASE}/enterprises`, { config, schema: { tags, querystring: EnterpriseList } }, async (request) => {
      const q = request.query;
      const page = await enterprise.listEnterprises(
        actorOf(request),
        { enterpriseAccountId: q.enterprise_account_id, accountGroupId: q.account_group_id, accountId: q.account_id },
        { limit: q.limit, nextDocid: q.next_docid },
      );
      return docPage(`${BASE}/enterprises`, q, page, enterpriseWire);
    });

    const EnterpriseId = Type.Object({ enterprise_id: Text });
    app.get(`${BASE}/enterprises/:enterprise_id`, { config, schema: { tags, params: EnterpriseId } }, async (request) =>
      enterpriseWire(await enterprise.getEnterprise(actorOf(request), request.params.enterprise_id)),
    );

    app.patch(`${BASE}/enterprises/:enterprise_id`, { config, schema: { tags, params: EnterpriseId, body: EnterpriseUpdate } }, async (request, reply) => {
      const b = request.body;
      await enterprise.updateEnterprise(actorOf(request), request.params.enterprise_id, {
        name: b.name,
        domain: b.domain,
        primaryContactIamId: b.primary_contact_iam_id,
      });
      return reply.status(204).send();
    });

    app.put(
      `${BASE}/enterprises/:enterprise_id/import/accounts/:account_id`,
      { config, schema: { tags, params: Type.Object({ enterprise_id: Text, account_id: Text }), body: ImportBody } },
      async (request, reply) => {
        await enterprise.importAccount(actorOf(request), request.params.enterprise_id, request.params.account_id, { parent: request.body?.parent });
        return reply.status(202).send();
      },
    );

    app.post(`${BASE}/accounts`, { config, schema: { tags, body: AccountCreate } }, async (request, reply) => {
      const b = request.body;
      const created = await enterprise.createAccount(actorOf(request), {
        parent: b.parent,
        name: b.name,
        ownerIamId: b.owner_iam_id,
        traits: b.traits && { mfa: b.traits.mfa, enterpriseIamManaged: b.traits.enterprise_iam_managed },
        ownerServiceId: b.options?.create_iam_service_id_with_apikey_and_owner_policies === true,
      });
      // Only the owner-access service ID's key is ever returned: never a credential of the owner.
      const { serviceId } = created;
      return reply.status(202).send({
        account_id: created.accountId,
        ...(serviceId ? { iam_service_id: serviceId.serviceId, iam_apikey_id: serviceId.apiKeyId, iam_apikey: serviceId.apiKey } : {}),
      });
    });

    app.get(`${BASE}/accounts`, { config, schema: { tags, querystring: AccountList } }, async (request) => {
      const q = request.query;
      const page = await enterprise.listAccounts(
        actorOf(request),
        { enterpriseId: q.enterprise_id, accountGroupId: q.account_group_id, parent: q.parent, includeDeleted: q.include_deleted },
        { limit: q.limit, nextDocid: q.next_docid },
      );
      return docPage(`${BASE}/accounts`, q, page, accountWire);
    });

    const AccountId = Type.Object({ account_id: Text });
    app.get(`${BASE}/accounts/:account_id`, { config, schema: { tags, params: AccountId } }, async (request) =>
      accountWire(await enterprise.getAccount(actorOf(request), request.params.account_id)),
    );

    app.patch(
      `${BASE}/accounts/:account_id`,
      { config, schema: { tags, params: AccountId, body: Type.Object({ parent: Text }, strict) } },
      async (request, reply) => {
        await enterprise.moveAccount(actorOf(request), request.params.account_id, request.body.parent);
        return reply.status(202).send();
      },
    );

    app.delete(`${BASE}/accounts/:account_id`, { config, schema: { tags, params: AccountId } }, async (request, reply) => {
      await enterprise.deleteAccount(actorOf(request), request.params.account_id);
      return reply.status(204).send();
    });

    app.post(`${BASE}/account-groups`, { config, schema: { tags, body: GroupCreate } }, async (request, reply) => {
      const b = request.body;
      const id = await enterprise.createAccountGroup(actorOf(request), { parent: b.parent, name: b.name, primaryContactIamId: b.primary_contact_iam_id });
      return reply.status(201).send({ account_group_id: id });
    });

    app.get(`${BASE}/account-groups`, { config, schema: { tags, querystring: GroupList } }, async (request) => {
      const q = request.query;
      const page = await enterprise.listAccountGroups(
        actorOf(request),
        { enterpriseId: q.enterprise_id, parentAccountGroupId: q.parent_account_group_id, parent: q.parent, includeDeleted: q.include_deleted },
        { limit: q.limit, nextDocid: q.next_docid },
      );
      return docPage(`${BASE}/account-groups`, q, page, groupWire);
    });

    const GroupId = Type.Object({ account_group_id: Text });
    app.get(`${BASE}/account-groups/:account_group_id`, { config, schema: { tags, params: GroupId } }, async (request) =>
      groupWire(await enterprise.getAccountGroup(actorOf(request), request.params.account_group_id)),
    );

    app.patch(`${BASE}/account-groups/:account_group_id`, { config, schema: { tags, params: GroupId, body: GroupUpdate } }, async (request, reply) => {
      const b = request.body;
      await enterprise.updateAccountGroup(actorOf(request), request.params.account_group_id, {
        name: b.name,
        primaryContactIamId: b.primary_contact_iam_id,
      });
      return reply.status(204).send();
    });

    app.delete(`${BASE}/account-groups/:account_group_id`, { config, schema: { tags, params: GroupId } }, async (request, reply) => {
      await enterprise.deleteAccountGroup(actorOf(request), request.params.account_group_id);
      return reply.status(204).send();
    });
  };
}
