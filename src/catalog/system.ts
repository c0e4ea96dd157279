import type { Role } from './types.js';

/**
 * The system roles (identifiers.md §7). Where IBM's CRN is documented it is used as is; for roles
 * whose CRN is not documented we chose (and keep stable):
 * - roles several services offer under one display name get one generic `iam` service-role CRN:
 *   Service Configuration Reader `iam::::serviceRole:ConfigReader`, Key Manager
 *   `iam::::serviceRole:KeyManager`, Template Administrator `iam::::serviceRole:TemplateAdministrator`,
 *   Assignment Administrator `iam::::serviceRole:AssignmentAdministrator`, so one policy on
 *   `service_group_id=IAM` can grant them across the IAM services;
 * - roles one service offers are `<service>::::serviceRole:<Name>` (API key reviewer
 *   `iam-identity::::serviceRole:ApiKeyReviewer`, VPN Administrator
 *   `user-management::::serviceRole:VPNAdministrator`, …). IBM documents
 *   `enterprise::::serviceRole:UsageReportsViewer` ("Usage Report Viewer") and
 *   `globalcatalog-collection::::serviceRole:Promoter`, which we take to be the "Publisher" role of
 *   IBM's action table (it carries `instance.promote`).
 * - Decision Querier `iam::::serviceRole:DecisionQuerier` is Portcullis's own: it carries only
 *   `iam.authz.query`, the action the decision endpoint checks, and every service offers it.
 */

const PREFIX = 'crn:v1:bluemix:public:';

function systemRole(service: string, kind: 'role' | 'serviceRole', name: string, displayName: string, description: string): Role {
  const crn = `${PREFIX}${service}::::${kind}:${name}`;
  const generic = service === 'iam';
  return {
    crn,
    name,
    displayName,
    description,
    kind: kind === 'role' && generic ? 'platform' : 'service',
    ...(generic ? {} : { serviceName: service }),
  };
}

export const platformRoles = {
  administrator: systemRole('iam', 'role', 'Administrator', 'Administrator',
    'As an administrator, you can perform all platform actions based on the resource this role is being assigned, including assigning access policies to other users.'),
  editor: systemRole('iam', 'role', 'Editor', 'Editor',
    'As an editor, you can perform all platform actions except for managing the account and assigning access policies.'),
  operator: systemRole('iam', 'role', 'Operator', 'Operator',
    'As an operator, you can perform platform actions required to configure and operate service instances, such as viewing a service dashboard.'),
  viewer: systemRole('iam', 'role', 'Viewer', 'Viewer',
    'As a viewer, you can view service instances, but you can\'t modify them.'),
} as const;

export const serviceRoles = {
  manager: systemRole('iam', 'serviceRole', 'Manager', 'Manager',
    'As a manager, you have permissions beyond the writer role to complete privileged actions as defined by the service.'),
  writer: systemRole('iam', 'serviceRole', 'Writer', 'Writer',
    'As a writer, you have permissions beyond the reader role, including creating and editing service-specific resources.'),
  reader: systemRole('iam', 'serviceRole', 'Reader', 'Reader',
    'As a reader, you can perform read-only actions within a service such as viewing service-specific resources.'),
  configReader: systemRole('iam', 'serviceRole', 'ConfigReader', 'Service Configuration Reader',
    'The ability to read services configuration for Governance management.'),
  keyManager: systemRole('iam', 'serviceRole', 'KeyManager', 'Key Manager',
    'As a key manager, the service can perform platform actions required to manage resource keys.'),
  templateAdministrator: systemRole('iam', 'serviceRole', 'TemplateAdministrator', 'Template Administrator',
    'As a template administrator, you can create, update, and delete templates.'),
  assignmentAdministrator: systemRole('iam', 'serviceRole', 'AssignmentAdministrator', 'Assignment Administrator',
    'As an assignment administrator, you can assign templates to child accounts and manage those assignments.'),
  decisionQuerier: systemRole('iam', 'serviceRole', 'DecisionQuerier', 'Decision Querier',
    'Portcullis: may ask the decision point about requests on this service (grant it to the service\'s enforcement point).'),
} as const;

export const specificRoles = {
  serviceIdCreator: systemRole('iam-identity', 'serviceRole', 'ServiceIdCreator', 'Service ID creator',
    'Create service IDs when the account restricts service ID creation.'),
  userApiKeyCreator: systemRole('iam-identity', 'serviceRole', 'UserApiKeyCreator', 'User API key creator',
    'Create user API keys when the account restricts API key creation.'),
  apiKeyReviewer: systemRole('iam-identity', 'serviceRole', 'ApiKeyReviewer', 'API key reviewer',
    'Review all API keys in the account without access to their values.'),
  groupsServiceMemberManage: systemRole('iam-groups', 'serviceRole', 'GroupsServiceMemberManage', 'Groups Service Member Manage',
    'Add and remove service IDs as access group members.'),
  vpnAdministrator: systemRole('user-management', 'serviceRole', 'VPNAdministrator', 'VPN Administrator',
    'Manage VPN access of users.'),
  usageReportsViewer: systemRole('enterprise', 'serviceRole', 'UsageReportsViewer', 'Usage Report Viewer',
    'View usage reports of the enterprise, account groups and accounts.'),
  ibmOperation: systemRole('globalcatalog-collection', 'serviceRole', 'IBMOperation', 'IBMOperation',
    'IBM operations on catalogs.'),
  ibmTransactionManager: systemRole('globalcatalog-collection', 'serviceRole', 'IBMTransactionManager', 'IBMTransactionManager',
    'Switch the boundary of catalog offerings.'),
  promoter: systemRole('globalcatalog-collection', 'serviceRole', 'Promoter', 'Publisher',
    'Promote and approve catalog offerings.'),
  shareRequestManager: systemRole('globalcatalog-collection', 'serviceRole', 'ShareRequestManager', 'Share Request Manager',
    'Manage catalog share requests.'),
  cloudDeveloper: systemRole('cloudshell', 'serviceRole', 'CloudDeveloper', 'Cloud Developer',
    'Use Cloud Shell and preview web applications.'),
  cloudOperator: systemRole('cloudshell', 'serviceRole', 'CloudOperator', 'Cloud Operator',
    'Use Cloud Shell.'),
  fileManager: systemRole('cloudshell', 'serviceRole', 'FileManager', 'File Manager',
    'Use Cloud Shell and upload or download files.'),
  contentReader: systemRole('cloud-object-storage', 'serviceRole', 'ContentReader', 'Content Reader',
    'List and download objects.'),
  objectReader: systemRole('cloud-object-storage', 'serviceRole', 'ObjectReader', 'Object Reader',
    'Download objects.'),
  objectWriter: systemRole('cloud-object-storage', 'serviceRole', 'ObjectWriter', 'Object Writer',
    'Upload objects.'),
  readerPlus: systemRole('kms', 'serviceRole', 'ReaderPlus', 'ReaderPlus',
    'Read keys, including the payload of standard keys.'),
} as const;

export const systemRoles: readonly Role[] = [
  ...Object.values(platformRoles),
  ...Object.values(serviceRoles),
  ...Object.values(specificRoles),
];

/** The roles every service offers whether or not its definition lists them. */
export const universalRoles: readonly string[] = [serviceRoles.decisionQuerier.crn];

/** The placeholder role of a v2-only policy in a v1 listing (authz.md §2.1); it grants nothing. */
export const unsupportedVersionRole = `${PREFIX}iam::::role:UnsupportedVersion`;
