import { Type, type TSchema } from '@sinclair/typebox';
import { type Operations } from '../http/openapi.js';
import { limitParam } from '../http/query.js';
import { limits } from '../kernel/limits.js';
import { ENTERPRISE_LIMITS } from './types.js';

/** Request and response schemas of Enterprise Management v1 (the SDK's enterprise-management/v1 models). */

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

export const operations: Operations = {
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

export const EnterpriseCreate = Type.Object(
  { source_account_id: Text, name: Text, primary_contact_iam_id: Text, domain: Type.Optional(Type.String({ maxLength: limits.text })) },
  strict,
);
export const EnterpriseList = Type.Object({
  enterprise_account_id: Type.Optional(Text),
  account_group_id: Type.Optional(Text),
  account_id: Type.Optional(Text),
  next_docid: Type.Optional(NextDocid),
  limit: Limit,
});
export const EnterpriseUpdate = Type.Object(
  { name: Type.Optional(Text), domain: Type.Optional(Type.String({ maxLength: limits.text })), primary_contact_iam_id: Type.Optional(Text) },
  strict,
);
export const ImportBody = Type.Optional(Type.Object({ parent: Type.Optional(Text), billing_unit_id: Type.Optional(Type.String({ maxLength: limits.text })) }, strict));
export const AccountCreate = Type.Object(
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
export const AccountList = Type.Object({
  enterprise_id: Type.Optional(Text),
  account_group_id: Type.Optional(Text),
  next_docid: Type.Optional(NextDocid),
  parent: Type.Optional(Text),
  limit: Limit,
  include_deleted: Type.Optional(Type.Boolean()),
});
export const GroupCreate = Type.Object({ parent: Text, name: Text, primary_contact_iam_id: Text }, strict);
export const GroupList = Type.Object({
  enterprise_id: Type.Optional(Text),
  parent_account_group_id: Type.Optional(Text),
  next_docid: Type.Optional(NextDocid),
  parent: Type.Optional(Text),
  limit: Limit,
  include_deleted: Type.Optional(Type.Boolean()),
});
export const GroupUpdate = Type.Object({ name: Type.Optional(Text), primary_contact_iam_id: Type.Optional(Text) }, strict);
export const EnterpriseId = Type.Object({ enterprise_id: Text });
export const AccountId = Type.Object({ account_id: Text });
export const GroupId = Type.Object({ account_group_id: Text });
export const ImportPath = Type.Object({ enterprise_id: Text, account_id: Text });
export const AccountMove = Type.Object({ parent: Text }, strict);
