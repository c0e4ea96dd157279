import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { actorOf, requireBearer } from '../http/auth.js';
import { describeOperations } from '../http/openapi.js';
import type { Authenticator } from '../kernel/principal.js';
import type { EnterpriseService } from './service.js';
import { ENTERPRISE_LIMITS } from './types.js';
import { accountWire, BASE, docPage, enterpriseWire, groupWire } from './wire.js';
import {
  AccountCreate,
  AccountId,
  AccountList,
  AccountMove,
  EnterpriseCreate,
  EnterpriseId,
  EnterpriseList,
  EnterpriseUpdate,
  GroupCreate,
  GroupId,
  GroupList,
  GroupUpdate,
  ImportBody,
  ImportPath,
  operations,
} from './schemas.js';

export interface EnterpriseRoutesDeps {
  enterprise: EnterpriseService;
  authenticator: Authenticator;
}

const config = { errorStyle: 'handbook' as const };
const tags = ['Enterprise Management'];

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
      { config, schema: { tags, params: ImportPath, body: ImportBody } },
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

    app.get(`${BASE}/accounts/:account_id`, { config, schema: { tags, params: AccountId } }, async (request) =>
      accountWire(await enterprise.getAccount(actorOf(request), request.params.account_id)),
    );

    app.patch(
      `${BASE}/accounts/:account_id`,
      { config, schema: { tags, params: AccountId, body: AccountMove } },
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
