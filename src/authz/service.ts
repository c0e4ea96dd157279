import type { OwnerLookup } from '../accounts/owners.js';
import { AUTHZ_QUERY_ACTION } from '../catalog/index.js';
import { DomainError } from '../kernel/errors.js';
import type { Actor, Principal } from '../kernel/principal.js';
import type { RoleGrant } from '../pdp/index.js';
import type { Decision, DecisionRequest, ResourceAttributes } from '../pdp/types.js';
import type { DecideOptions, DecisionPoint } from './decision-point.js';
import { requestOf, resourceOf, subjectOf, type WireRequest } from './wire.js';

/** The outcome of one request of a batch: a decision, or why it could not be decided. */
export type Answer<T> =
  | { requestId?: string; status: 200; value: T; request: DecisionRequest }
  | { requestId?: string; status: 400 | 403; error: DomainError };

export interface DecisionWithActions {
  decision: Decision;
  /** Every action the subject holds on the resource (for PEP caching), when permitted. */
  actions: string[];
}

/**
 * The decision endpoints (`/v2/authz`, `/v2/authz/bulk`, `/v2/authz/roles`). A caller may ask
 * only about resources of accounts it owns or where it holds the decision-query action
 * (`iam.authz.query`) on the resource's service, so nobody can map other people's access.
 */
export function createAuthzService(deps: { decisionPoint: DecisionPoint; ownerOf: OwnerLookup }) {
  const { decisionPoint } = deps;

  /** Per-call memo of query permission by account and service. */
  function queryPermission(principal: Principal) {
    const memo = new Map<string, Promise<boolean>>();
    return (resource: ResourceAttributes): Promise<boolean> => {
      const key = `${resource.accountId}\u0000${resource.serviceName ?? ''}`;
      let allowed = memo.get(key);
      if (!allowed) {
        allowed = (async () => {
          if ((await deps.ownerOf(resource.accountId)) === principal.iamId) return true;
          const serviceName = resource.serviceName;
          if (!serviceName) return false;
          const [decision] = await decisionPoint.decide([
            { subject: { id: principal.iamId }, action: AUTHZ_QUERY_ACTION, resource: { accountId: resource.accountId, serviceName } },
          ]);
          return decision?.permitted === true;
        })();
        memo.set(key, allowed);
      }
      return allowed;
    };
  }

  const notPermitted = (resource: ResourceAttributes) =>
    new DomainError(
      'forbidden',
      'insufficent_permissions',
      `The caller may not query decisions on service ${resource.serviceName ?? '(none)'} in account ${resource.accountId}.`,
    );

  /** Parses and permission-checks every request; failures stay per request. */
  async function admit(actor: Actor, items: readonly WireRequest[], actionOf: (item: WireRequest) => string) {
    const mayQuery = queryPermission(actor.principal);
    return Promise.all(
      items.map(async (item): Promise<Answer<null>> => {
        try {
          const request = requestOf(item, actionOf(item));
          if (!(await mayQuery(request.resource))) return { requestId: item.requestId, status: 403, error: notPermitted(request.resource) };
          return { requestId: item.requestId, status: 200, value: null, request };
        } catch (error) {
          if (error instanceof DomainError) return { requestId: item.requestId, status: 400, error };
          throw error;
        }
      }),
    );
  }

  const actionsOf = (grants: RoleGrant[]) => [...new Set(grants.flatMap((g) => g.actions))].sort();

  return {
    async decide(actor: Actor, items: readonly WireRequest[], options: DecideOptions): Promise<Answer<DecisionWithActions>[]> {
      await decisionPoint.ensureRevision(options.minRevision);
      const admitted = await admit(actor, items, (item) => {
        if (!item.action) throw new DomainError('invalid', 'invalid_body', 'action is required.');
        return item.action;
      });
      const ready = admitted.filter((a): a is Extract<Answer<null>, { status: 200 }> => a.status === 200);
      const decisions = await decisionPoint.decide(
        ready.map((a) => a.request),
        { explain: options.explain },
      );
      let next = 0;
      return Promise.all(
        admitted.map(async (answer): Promise<Answer<DecisionWithActions>> => {
          if (answer.status !== 200) return answer;
          const decision = decisions[next++]!;
          const actions = decision.permitted ? actionsOf(await decisionPoint.roles(answer.request)) : [];
          return { ...answer, value: { decision, actions } };
        }),
      );
    },

    /** One subject and action over many resources (shared + unique attributes), in order. */
    async bulk(
      actor: Actor,
      body: { subject: WireRequest['subject']; action: string; resources: { sharedAttributes?: Record<string, unknown>; uniqueAttributes: Record<string, unknown>[] }; environment?: WireRequest['environment'] },
      options: DecideOptions,
    ): Promise<Answer<Decision>[]> {
      await decisionPoint.ensureRevision(options.minRevision);
      const subject = body.subject;
      const items: WireRequest[] = body.resources.uniqueAttributes.map((unique) => ({
        subject,
        action: body.action,
        resource: { attributes: { ...body.resources.sharedAttributes, ...unique } },
        environment: body.environment,
      }));
      const admitted = await admit(actor, items, () => body.action);
      const ready = admitted.filter((a): a is Extract<Answer<null>, { status: 200 }> => a.status === 200);
      const decisions = await decisionPoint.decide(ready.map((a) => a.request), { explain: options.explain });
      let next = 0;
      return admitted.map((answer) => (answer.status === 200 ? { ...answer, value: decisions[next++]! } : answer));
    },

    /** The roles (and their actions) each subject holds on each resource. */
    async roles(actor: Actor, items: readonly WireRequest[], options: DecideOptions): Promise<Answer<RoleGrant[]>[]> {
      await decisionPoint.ensureRevision(options.minRevision);
      const mayQuery = queryPermission(actor.principal);
      return Promise.all(
        items.map(async (item): Promise<Answer<RoleGrant[]>> => {
          try {
            const request = { subject: subjectOf(item.subject), resource: resourceOf(item.resource) };
            if (!(await mayQuery(request.resource))) return { requestId: item.requestId, status: 403, error: notPermitted(request.resource) };
            return { requestId: item.requestId, status: 200, value: await decisionPoint.roles(request), request: { ...request, action: '' } };
          } catch (error) {
            if (error instanceof DomainError) return { requestId: item.requestId, status: 400, error };
            throw error;
          }
        }),
      );
    },
  };
}

export type AuthzService = ReturnType<typeof createAuthzService>;
