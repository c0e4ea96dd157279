import { platformRoles, serviceRoles } from '../system.js';
import type { GenericAction } from '../types.js';
import { actionDisplayName } from './seed-format.js';

/**
 * Actions defined by platform components that every service's platform roles carry, meaning "on
 * this service's resources" (authz.md §3 and the §7 preamble): e.g. creating a policy on service X
 * needs `iam.policy.create`, which comes with Administrator on X. Higher platform roles hold the
 * actions of the lower ones (Viewer ⊂ Operator ⊂ Editor ⊂ Administrator). Our inferences beyond
 * IBM's text: `resource-controller.group.update` and user-tag attach/detach with Editor (like
 * group create), `iam.service.read` with Viewer, resource-key actions with Key Manager, and
 * `iam.authz.query` (Portcullis's decision endpoint) with Administrator and Decision Querier.
 */

const { administrator, editor, operator, viewer } = platformRoles;
const fromViewer = [viewer.crn, operator.crn, editor.crn, administrator.crn];
const fromOperator = [operator.crn, editor.crn, administrator.crn];
const fromEditor = [editor.crn, administrator.crn];
const onlyAdministrator = [administrator.crn];
const keyManager = serviceRoles.keyManager.crn;

/** The action the decision endpoints check on `{accountId, serviceName}` of each request. */
export const AUTHZ_QUERY_ACTION = 'iam.authz.query';

const table: Array<[id: string, roles: string[]]> = [
  ['resource-controller.instance.retrieve', fromViewer],
  ['resource-controller.key.retrieve', [...fromViewer, keyManager]],
  ['resource-controller.alias.retrieve', fromViewer],
  ['resource-controller.binding.retrieve', fromViewer],
  ['resource-controller.group.retrieve', fromViewer],
  ['global-search-tagging.resource.read', fromViewer],
  ['iam.policy.read', fromViewer],
  ['iam.role.read', fromViewer],
  ['iam.service.read', fromViewer],
  ['cbr.rule.read', fromViewer],

  ['resource-controller.instance.update', fromOperator],
  ['resource-controller.key.create', [...fromOperator, keyManager]],
  ['resource-controller.key.update', [...fromOperator, keyManager]],
  ['resource-controller.key.delete', [...fromOperator, keyManager]],
  ['resource-controller.alias.create', fromOperator],
  ['resource-controller.alias.update', fromOperator],
  ['resource-controller.alias.delete', fromOperator],
  ['resource-controller.binding.create', fromOperator],
  ['resource-controller.binding.update', fromOperator],
  ['resource-controller.binding.delete', fromOperator],

  ['resource-controller.instance.create', fromEditor],
  ['resource-controller.instance.delete', fromEditor],
  ['resource-controller.instance.update_plan', fromEditor],
  ['resource-controller.broker.create', fromEditor],
  ['resource-controller.broker.delete', fromEditor],
  ['resource-controller.group.create', fromEditor],
  ['resource-controller.group.update', fromEditor],
  ['global-search-tagging.tags.attach_user', fromEditor],
  ['global-search-tagging.tags.detach_user', fromEditor],

  ['iam.policy.create', onlyAdministrator],
  ['iam.policy.update', onlyAdministrator],
  ['iam.policy.delete', onlyAdministrator],
  ['iam.role.assign', onlyAdministrator],
  ['iam.delegationPolicy.create', onlyAdministrator],
  ['iam.delegationPolicy.update', onlyAdministrator],
  ['cbr.rule.create', onlyAdministrator],
  ['cbr.rule.update', onlyAdministrator],
  ['cbr.rule.delete', onlyAdministrator],
  ['global-search-tagging.tags.attach_access', onlyAdministrator],
  ['global-search-tagging.tags.detach_access', onlyAdministrator],
  ['resource-controller.credential.retrieve_all', onlyAdministrator],
  ['resource-controller.group.delete', onlyAdministrator],
  ['resource-controller.instance.retrieve_history', onlyAdministrator],
  ['resource-controller.instance.update_onetime_credentials_off', onlyAdministrator],
  [AUTHZ_QUERY_ACTION, [administrator.crn, serviceRoles.decisionQuerier.crn]],
];

export const genericActions: GenericAction[] = table.map(([id, roles]) => ({
  id,
  component: id.slice(0, id.indexOf('.')),
  displayName: actionDisplayName(id),
  roles,
}));
