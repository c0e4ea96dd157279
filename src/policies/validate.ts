import type { Catalog } from '../catalog/index.js';
import { DomainError } from '../kernel/errors.js';
import { compilePolicy } from '../pdp/compile.js';
import type { AttributeCondition, PolicySubject } from '../pdp/types.js';
import { policyErrors } from './errors.js';
import { checkRuleAndPattern } from './rules.js';
import { equalsValue, servicesOfTarget, typesOfGroup } from './targets.js';
import type { CustomRoleRecord, PolicyDraft } from './types.js';

/** The `accountId` resource attribute comes first in every rendering, as IBM lists it. */
export const ACCOUNT_ATTRIBUTE = 'accountId';

/**
 * Splits wire resource attributes into the account (required, `stringEquals`) and the rest. Shared
 * by both syntaxes, so v1 and v2 refuse a missing or odd account the same way.
 */
export function splitAccount(attributes: AttributeCondition[]): { accountId: string; rest: AttributeCondition[] } {
  const accounts = attributes.filter((a) => a.key === ACCOUNT_ATTRIBUTE);
  const account = accounts[0];
  if (accounts.length !== 1 || !account) {
    throw policyErrors.invalidBody('The resource must have exactly one accountId attribute.');
  }
  if (account.operator !== 'stringEquals' || typeof account.value !== 'string' || account.value === '') {
    throw policyErrors.invalidBody('The accountId resource attribute must be a non-empty string with operator stringEquals.');
  }
  return { accountId: account.value, rest: attributes.filter((a) => a !== account) };
}

/** Whether an IAM id may be a policy subject in an account (see subjects.ts). */
export interface SubjectDirectory {
  exists(accountId: string, iamId: string): Promise<boolean>;
}

export interface ValidationDeps {
  catalog: Catalog;
  subjects: SubjectDirectory;
  /** The custom role with this CRN, from the store (the catalog may lag behind other nodes). */
  customRole(crn: string): Promise<CustomRoleRecord | undefined>;
  /** The account and resource group of a live service instance, when Portcullis knows it. */
  instance(instanceId: string): Promise<{ accountId: string; resourceGroupId: string } | undefined>;
}

const MAX_VALUE_LENGTH = 1000;
const SERVICE_TYPES = new Set(['service', 'platform_service']);
/** A resource must say which services it covers (or be the resource-group object). */
const SCOPING_KEYS = ['serviceType', 'serviceName', 'resourceGroupId', 'service_group_id'];
/** Subject attributes of an authorization policy: the source (authz.md §2.1). */
const SOURCE_KEYS = new Set(['serviceName', 'serviceInstance', 'accountId', 'region', 'resourceType', 'resource', 'resourceGroupId']);
const ACCESS_GROUP_ID = /^AccessGroupId-[A-Za-z0-9-]+$/;
const CUSTOM_ROLE_CRN = /^crn:v1:ibmcloud:public:iam-access-management::a\/[^:]+::customRole:/;

/**
 * Checks a draft against the catalog and the account: attributes, subject, roles, rule. Throws
 * 400s in IBM's codes (`invalid_body`, `role_not_found`); returns the draft with duplicate roles
 * removed. Anything that passes also compiles in the decision point.
 */
export async function validateDraft(draft: PolicyDraft, deps: ValidationDeps): Promise<PolicyDraft> {
  checkAttributes(draft.resource, 'Resource attribute');
  checkAttributes(draft.tags, 'Resource tag', true);
  checkResource(draft, deps.catalog);
  await checkScope(draft, deps);
  await checkSubject(draft.accountId, draft.subject, deps);
  checkRuleAndPattern(draft.rule, draft.pattern);
  const roles = [...new Set(draft.roles)];
  if (roles.length === 0) throw policyErrors.invalidBody('A policy grants at least one role.');
  for (const crn of roles) await checkRole(crn, draft, deps);
  const validated = { ...draft, roles };
  try {
    compilePolicy({ ...validated, id: 'draft', state: 'active' });
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'invalid') throw policyErrors.invalidBody(error.message);
    throw error;
  }
  return validated;
}

/** Non-empty names, values of 1–1000 characters; attribute names once each (a tag may repeat). */
function checkAttributes(attributes: readonly AttributeCondition[], what: string, repeatable = false): void {
  const seen = new Set<string>();
  for (const a of attributes) {
    if (a.key === '') throw policyErrors.invalidBody(`${what} names must not be empty.`);
    if (seen.has(a.key) && !repeatable) throw policyErrors.invalidBody(`${what} ${a.key} is given twice.`);
    seen.add(a.key);
    const values = Array.isArray(a.value) ? a.value : typeof a.value === 'string' ? [a.value] : [];
    for (const v of values) {
      if (v.length < 1 || v.length > MAX_VALUE_LENGTH) {
        throw policyErrors.invalidBody(`${what} ${a.key}: values have 1 to ${MAX_VALUE_LENGTH} characters.`);
      }
    }
  }
}

function checkResource(draft: PolicyDraft, catalog: Catalog): void {
  const attrs = draft.resource;
  const isGroupObject = equalsValue(attrs, 'resourceType') === 'resource-group' && equalsValue(attrs, 'resource') !== undefined;
  if (!isGroupObject && !attrs.some((a) => SCOPING_KEYS.includes(a.key))) {
    throw policyErrors.invalidBody(`The resource needs one of ${SCOPING_KEYS.join(', ')} besides accountId.`);
  }
  const serviceType = equalsValue(attrs, 'serviceType');
  if (attrs.some((a) => a.key === 'serviceType') && (serviceType === undefined || !SERVICE_TYPES.has(serviceType))) {
    throw policyErrors.invalidBody('serviceType is "service" or "platform_service" (operator stringEquals).');
  }
  const serviceName = equalsValue(attrs, 'serviceName');
  if (serviceName !== undefined && !catalog.service(serviceName)) {
    throw policyErrors.invalidBody(`Service ${serviceName} is not in the catalog.`);
  }
  const group = equalsValue(attrs, 'service_group_id');
  if (group !== undefined && servicesOfTarget(attrs, catalog).length === 0) {
    throw policyErrors.invalidBody(`No service belongs to service group ${group}.`);
  }
  if (draft.tags.length > 0 && attrs.some((a) => a.key === 'resourceGroupId' || a.key === 'region')) {
    throw policyErrors.invalidBody('Access tags cannot be combined with resourceGroupId or region.');
  }
}

/**
 * Refuses a scope no resource can satisfy, whose attributes contradict each other (authz.md §4): a
 * service of another type or group than the one named, a group with no service of the named type,
 * an account-management service (which has no resource groups) with a `resourceGroupId`, an
 * instance of the account in another resource group than the one named. Such a policy
 * would only mislead: its scope is not what it says, so who may grant it could not be decided.
 */
async function checkScope(draft: PolicyDraft, deps: ValidationDeps): Promise<void> {
  const attrs = draft.resource;
  const name = equalsValue(attrs, 'serviceName');
  const type = equalsValue(attrs, 'serviceType');
  const group = equalsValue(attrs, 'service_group_id');
  const service = name === undefined ? undefined : deps.catalog.service(name);
  if (service && type !== undefined && service.type !== type) {
    throw policyErrors.invalidBody(`Service ${service.name} is not of serviceType ${type}.`);
  }
  if (service && group !== undefined && service.groupId !== group) {
    throw policyErrors.invalidBody(`Service ${service.name} is not in service group ${group}.`);
  }
  const groupTypes = group === undefined ? undefined : typesOfGroup(group, deps.catalog);
  if (groupTypes && type !== undefined && !groupTypes.has(type as 'service')) {
    throw policyErrors.invalidBody(`Service group ${group} has no service of serviceType ${type}.`);
  }
  const accountManagement =
    service?.type === 'platform_service' || type === 'platform_service' || (groupTypes !== undefined && !groupTypes.has('service'));
  if (accountManagement && attrs.some((a) => a.key === 'resourceGroupId')) {
    throw policyErrors.invalidBody('Account management services are not in resource groups: resourceGroupId does not apply.');
  }
  const instanceId = equalsValue(attrs, 'serviceInstance');
  // An instance of another account is treated as unknown: the answer must not reveal that it exists.
  const found = instanceId === undefined ? undefined : await deps.instance(instanceId);
  const instance = found?.accountId === draft.accountId ? found : undefined;
  const resourceGroupId = equalsValue(attrs, 'resourceGroupId');
  if (instance && resourceGroupId !== undefined && instance.resourceGroupId !== resourceGroupId) {
    throw policyErrors.invalidBody(`Service instance ${instanceId} is not in resource group ${resourceGroupId}.`);
  }
}

async function checkSubject(accountId: string, subject: PolicySubject, deps: ValidationDeps): Promise<void> {
  switch (subject.kind) {
    case 'iam_id':
      if (!(await deps.subjects.exists(accountId, subject.iamId))) {
        throw policyErrors.invalidBody(`Subject ${subject.iamId} is not an identity of account ${accountId}.`);
      }
      return;
    case 'access_group':
      // Access groups are not stored yet: any well-formed id is accepted (see the report).
      if (!ACCESS_GROUP_ID.test(subject.groupId)) throw policyErrors.invalidBody(`${subject.groupId} is not an access group id.`);
      return;
    case 'service': {
      checkAttributes(subject.attributes, 'Subject attribute');
      for (const a of subject.attributes) {
        if (!SOURCE_KEYS.has(a.key)) throw policyErrors.invalidBody(`Unknown subject attribute ${a.key} for an authorization policy.`);
      }
      const keys = new Set(subject.attributes.map((a) => a.key));
      if (!keys.has('accountId') || (!keys.has('serviceName') && !keys.has('resourceGroupId'))) {
        throw policyErrors.invalidBody('The source of an authorization policy needs accountId and serviceName or resourceGroupId.');
      }
      const source = equalsValue(subject.attributes, 'serviceName');
      if (source !== undefined && !deps.catalog.service(source)) {
        throw policyErrors.invalidBody(`Source service ${source} is not in the catalog.`);
      }
    }
  }
}

/**
 * A role applies when the target can reach a service offering it: a platform role anywhere, a
 * service role where a targeted service lists it, a custom role only on its own service in its
 * own account.
 */
async function checkRole(crn: string, draft: PolicyDraft, deps: ValidationDeps): Promise<void> {
  if (CUSTOM_ROLE_CRN.test(crn)) {
    const role = await deps.customRole(crn);
    if (!role || role.accountId !== draft.accountId) throw policyErrors.unknownRole(crn);
    if (equalsValue(draft.resource, 'serviceName') !== role.serviceName) {
      throw policyErrors.invalidBody(`Custom role ${crn} applies only to policies on service ${role.serviceName}.`);
    }
    return;
  }
  const role = deps.catalog.role(crn);
  if (!role || role.kind === 'custom') throw policyErrors.unknownRole(crn);
  if (role.kind === 'platform') return;
  if (!servicesOfTarget(draft.resource, deps.catalog).some((s) => s.roles.includes(crn))) {
    throw policyErrors.invalidBody(`Role ${crn} does not apply to the policy's resource.`);
  }
}
