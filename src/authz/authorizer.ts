import type { OwnerLookup } from '../accounts/owners.js';
import type { AccessTarget, Authorizer } from '../kernel/authorizer.js';
import { forbidden } from '../kernel/errors.js';
import type { Principal, RequestEnvironment } from '../kernel/principal.js';
import type { ResourceAttributes } from '../pdp/types.js';
import type { DecisionPoint } from './decision-point.js';

/** The resource attributes a decision about a management target is made on. */
export function resourceOf(target: AccessTarget): ResourceAttributes {
  const resource: Record<string, string> = { ...target.attributes, accountId: target.accountId, serviceName: target.serviceName };
  if (target.serviceInstance !== undefined) resource.serviceInstance = target.serviceInstance;
  if (target.resourceType !== undefined) resource.resourceType = target.resourceType;
  if (target.resource !== undefined) resource.resource = target.resource;
  if (target.resourceGroupId !== undefined) resource.resourceGroupId = target.resourceGroupId;
  return resource as ResourceAttributes;
}

/**
 * Management calls decided by the policy decision point (DESIGN.md "Self-authorization"): allowed
 * exactly when the PDP allows the catalog action on the target. Two built-in exceptions, as in IBM
 * Cloud: the account owner administers everything in the account, and an identity administers what
 * it owns (its own API keys; the service IDs it created, which makes every member able to create
 * service IDs). Nobody acts in an account other than the one their token is scoped to.
 */
export function createPdpAuthorizer(deps: {
  decisionPoint: DecisionPoint;
  ownerOf: OwnerLookup;
}): Authorizer {
  return {
    async authorize(principal: Principal, action: string, target: AccessTarget, environment?: RequestEnvironment) {
      if (principal.accountId !== target.accountId) throw forbidden();
      const owner = await deps.ownerOf(target.accountId);
      if (!owner) throw forbidden();
      if (owner === principal.iamId) return;
      if (target.ownerIamId !== undefined && target.ownerIamId === principal.iamId) return;
      // The decision point waits for this node's own earlier writes: a grant is usable at once.
      // With the call's environment, the target's context-based restrictions apply as they do on /v2/authz.
      const [decision] = await deps.decisionPoint.decide([
        {
          subject: { id: principal.iamId },
          action,
          resource: resourceOf(target),
          ...(environment
            ? { environment: { ip: environment.clientAddress, attributes: { ipAddress: environment.clientAddress, networkType: environment.endpointType } } }
            : {}),
        },
      ]);
      if (!decision?.permitted) throw forbidden(`${principal.iamId} is not authorized to perform ${action} on this resource.`);
    },
  };
}
