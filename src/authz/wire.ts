import { accountOfScope, parseCrn } from '../kernel/crn.js';
import { invalid } from '../kernel/errors.js';
import type { DecisionRequest, DecisionSubject, ResourceAttributes } from '../pdp/types.js';

/**
 * IBM's PDP wire format (authz.md §1) ↔ the decision point's requests. Pure conversions; the
 * route schemas have already checked the outer shape.
 */

export interface WireSubject {
  attributes?: Record<string, unknown>;
  /** The payload segment of a JWT; its `iam_id` (or `id`/`sub`) names the subject. */
  accessTokenBody?: string;
}

export interface WireResource {
  attributes?: Record<string, unknown>;
  crn?: string;
}

export interface WireRequest {
  requestId?: string;
  subject: WireSubject;
  action?: string;
  resource: WireResource;
  environment?: { attributes?: Record<string, unknown> };
}

const stringsOf = (attributes: Record<string, unknown> | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (typeof value === 'string') out[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
  }
  return out;
};

export function subjectOf(subject: WireSubject): DecisionSubject {
  if (subject.accessTokenBody !== undefined) {
    let claims: Record<string, unknown>;
    try {
      const segment = subject.accessTokenBody.includes('.') ? subject.accessTokenBody.split('.')[1]! : subject.accessTokenBody;
      claims = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as Record<string, unknown>;
    } catch {
      throw invalid('subject.accessTokenBody is not a base64url-encoded JSON token body.');
    }
    const id = claims.iam_id ?? claims.id;
    if (typeof id !== 'string' || !id) throw invalid('subject.accessTokenBody carries no iam_id.');
    return { id };
  }
  const { id, scope: _scope, ...rest } = stringsOf(subject.attributes);
  if (!id) {
    // IBM's enforcement points name a CRN identity (a service instance calling another service)
    // by its CRN's attributes, without an id (authz.md §1.1); authorization policies match those.
    if (rest.serviceName && rest.accountId) return { id: '', attributes: rest };
    throw invalid('subject.attributes.id is required (or, for a service identity, its serviceName and accountId).');
  }
  return Object.keys(rest).length > 0 ? { id, attributes: rest } : { id };
}

export function resourceOf(resource: WireResource): ResourceAttributes {
  if (resource.crn !== undefined) {
    const crn = parseCrn(resource.crn);
    const accountId = crn && accountOfScope(crn.scope);
    if (!crn || !accountId) throw invalid(`resource.crn ${resource.crn} is not an account-scoped CRN.`);
    const attributes: Record<string, string> = { accountId, serviceName: crn.serviceName };
    if (crn.location) attributes.region = crn.location;
    if (crn.serviceInstance) attributes.serviceInstance = crn.serviceInstance;
    if (crn.resourceType) attributes.resourceType = crn.resourceType;
    if (crn.resource) attributes.resource = crn.resource;
    return attributes as ResourceAttributes;
  }
  const attributes = stringsOf(resource.attributes);
  if (!attributes.accountId) throw invalid('resource.attributes.accountId is required.');
  return attributes as ResourceAttributes;
}

/** A request's environment; its `ipAddress` attribute is the client address restrictions test. */
export function environmentOf(wire: WireRequest['environment']): NonNullable<DecisionRequest['environment']> {
  const environment = stringsOf(wire?.attributes);
  return environment.ipAddress !== undefined ? { attributes: environment, ip: environment.ipAddress } : { attributes: environment };
}

export function requestOf(wire: WireRequest, action: string): DecisionRequest {
  // A PEP's request always has an environment, empty when it sent none: context-based restrictions
  // then find no client address, so a resource they protect is refused rather than let through.
  return { subject: subjectOf(wire.subject), action, resource: resourceOf(wire.resource), environment: environmentOf(wire.environment) };
}
