import type { OwnerLookup } from '../accounts/owners.js';
import { AUTHZ_QUERY_ACTION } from '../catalog/index.js';
import type { Authorizer } from '../kernel/authorizer.js';
import { DomainError } from '../kernel/errors.js';
import { failed, type Outcome } from '../kernel/outcome.js';
import type { Actor, Principal } from '../kernel/principal.js';
import type { RoleGrant, WhoCan } from '../pdp/index.js';
import { accessManagementTarget } from '../policies/targets.js';
import type { Decision, DecisionRequest, ResourceAttributes } from '../pdp/types.js';
import type { DecideOptions, DecisionPoint } from './decision-point.js';
import { environmentOf, requestOf, resourceOf, subjectOf, type WireRequest } from './wire.js';

/**
 * The outcome of one request of a batch: a decision (with the request it decides), or why it
 * could not be decided (a malformed request, or one the caller may not ask about).
 */
export type Answer<T> = { requestId?: string } & ({ ok: true; value: T; request: DecisionRequest } | Failed);

type Failed = Extract<Outcome<unknown>, { ok: false }>;

export interface DecisionWithActions {
  decision: Decision;
  /** The actions of the permitting role on the resource's service (for PEP caching). */
  actions: readonly string[];
}

/**
 * The decision endpoints (`/v2/authz`, `/v2/authz/bulk`, `/v2/authz/roles`). A caller may ask
 * only about resources of accounts it owns or where it holds the decision-query action
 * (`iam.authz.query`) on the resource's service, so nobody can map other people's access.
 */
export function createAuthzService(deps: { decisionPoint: DecisionPoint; ownerOf: OwnerLookup; authorizer: Authorizer }) {
  const { decisionPoint } = deps;

  /** Whether the caller may ask about decisions on the account's service. */
  async function mayQuery(principal: Principal, accountId: string, serviceName: string | undefined): Promise<boolean> {
    if ((await deps.ownerOf(accountId)) === principal.iamId) return true;
    if (!serviceName) return false;
    const [decision] = await decisionPoint.decide([
      { subject: { id: principal.iamId }, action: AUTHZ_QUERY_ACTION, resource: { accountId, serviceName } },
    ]);
    return decision?.permitted === true;
  }

  const notPermitted = (resource: ResourceAttributes) =>
    new DomainError(
      'forbidden',
      'insufficent_permissions',
      `The caller may not query decisions on service ${resource.serviceName ?? '(none)'} in account ${resource.accountId}.`,
    );

  /**
   * Parses every request, then checks the caller's query permission once per distinct account and
   * service (a bulk call names one). Failures stay per request.
   */
  async function admit<R extends { resource: ResourceAttributes }>(
    principal: Principal,
    items: readonly WireRequest[],
    parse: (item: WireRequest) => R,
  ): Promise<Array<{ requestId?: string } & ({ ok: true; request: R } | Failed)>> {
    type Parsed = { requestId?: string } & ({ ok: true; request: R } | Failed);
    const parsed = items.map((item): Parsed => {
      try {
        return { ok: true, requestId: item.requestId, request: parse(item) };
      } catch (error) {
        if (error instanceof DomainError) return { requestId: item.requestId, ...failed(error) };
        throw error;
      }
    });
    const permissions = new Map<string, Promise<boolean>>();
    for (const p of parsed) {
      if (!p.ok) continue;
      const { accountId, serviceName } = p.request.resource;
      const key = `${accountId}\u0000${serviceName ?? ''}`;
      if (!permissions.has(key)) permissions.set(key, mayQuery(principal, accountId, serviceName));
    }
    const allowed = new Map<string, boolean>();
    for (const [key, permission] of permissions) allowed.set(key, await permission);
    return parsed.map((p) => {
      if (!p.ok) return p;
      const { accountId, serviceName } = p.request.resource;
      return allowed.get(`${accountId}\u0000${serviceName ?? ''}`) ? p : { requestId: p.requestId, ...failed(notPermitted(p.request.resource)) };
    });
  }

  const actionOf = (item: WireRequest) => {
    if (!item.action) throw new DomainError('invalid', 'invalid_body', 'action is required.');
    return item.action;
  };

  return {
    async decide(actor: Actor, items: readonly WireRequest[], options: DecideOptions): Promise<Answer<DecisionWithActions>[]> {
      await decisionPoint.ensureRevision(options.minRevision);
      const admitted = await admit(actor.principal, items, (item) => requestOf(item, actionOf(item)));
      const ready = admitted.flatMap((a) => (a.ok ? [a.request] : []));
      const decisions = await decisionPoint.decide(ready, { explain: options.explain });
      let next = 0;
      return admitted.map((answer): Answer<DecisionWithActions> => {
        if (!answer.ok) return answer;
        const decision = decisions[next++]!;
        const actions = decision.permitted && decision.role ? decisionPoint.actionsOf(decision.role, answer.request) : [];
        return { ...answer, value: { decision, actions } };
      });
    },

    /** One subject and action over many resources (shared + unique attributes), in order. */
    async bulk(
      actor: Actor,
      body: { subject: WireRequest['subject']; action: string; resources: { sharedAttributes?: Record<string, unknown>; uniqueAttributes: Record<string, unknown>[] }; environment?: WireRequest['environment'] },
      options: DecideOptions,
    ): Promise<Answer<Decision>[]> {
      await decisionPoint.ensureRevision(options.minRevision);
      const items: WireRequest[] = body.resources.uniqueAttributes.map((unique) => ({
        subject: body.subject,
        action: body.action,
        resource: { attributes: { ...body.resources.sharedAttributes, ...unique } },
        environment: body.environment,
      }));
      const admitted = await admit(actor.principal, items, (item) => requestOf(item, body.action));
      const decisions = await decisionPoint.decide(admitted.flatMap((a) => (a.ok ? [a.request] : [])), { explain: options.explain });
      let next = 0;
      return admitted.map((answer) => (answer.ok ? { ...answer, value: decisions[next++]! } : answer));
    },

    /** The roles (and their actions) each subject holds on each resource. */
    async roles(actor: Actor, items: readonly WireRequest[], options: DecideOptions): Promise<Answer<RoleGrant[]>[]> {
      await decisionPoint.ensureRevision(options.minRevision);
      const admitted = await admit(actor.principal, items, (item) => ({ subject: subjectOf(item.subject), resource: resourceOf(item.resource) }));
      return Promise.all(
        admitted.map(async (answer): Promise<Answer<RoleGrant[]>> =>
          answer.ok
            ? { ...answer, value: await decisionPoint.roles(answer.request), request: { ...answer.request, action: '' } }
            : answer,
        ),
      );
    },

    /**
     * Who may perform an action on a resource (a question beyond IBM's PDP). It maps the access of
     * a whole account, so it is asked as reading the account's policies (`iam.policy.read` on
     * iam-access-management, the owner always), in the caller's own account only.
     */
    async whoCan(actor: Actor, item: Omit<WireRequest, 'subject'>, options: DecideOptions): Promise<{ request: Omit<DecisionRequest, 'subject'>; answer: WhoCan }> {
      const action = actionOf({ ...item, subject: {} });
      const resource = resourceOf(item.resource);
      await deps.authorizer.authorize(actor.principal, 'iam.policy.read', accessManagementTarget(resource.accountId), actor.environment);
      const environment = item.environment === undefined ? undefined : environmentOf(item.environment);
      const request = { action, resource, ...(environment && { environment }) };
      return { request, answer: await decisionPoint.whoCan(request, options) };
    },
  };
}

export type AuthzService = ReturnType<typeof createAuthzService>;
