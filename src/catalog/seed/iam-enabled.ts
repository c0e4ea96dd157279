import type { ServiceSeed } from './seed-format.js';

/**
 * A handful of IAM-enabled services with realistic actions, so policies on "All Identity and
 * Access enabled services" have something to match out of the box. Modelled on IBM's published
 * role tables for these services, trimmed to their common actions; deployments register their own
 * services (catalog.ts `parseCatalogFile`).
 */

const READ = ['Reader', 'Writer', 'Manager'];
const WRITE = ['Writer', 'Manager'];
const PLATFORM = ['Administrator', 'Editor', 'Operator', 'Viewer'];
const VIEW = ['Viewer', 'Operator', 'Editor', 'Administrator'];
const OPERATE = ['Operator', 'Editor', 'Administrator'];
const EDIT = ['Editor', 'Administrator'];

/** The CRUD-plus-operate actions of a VPC infrastructure resource type, `is.<type>.<type>.<verb>`. */
function vpcResource(type: string): Array<[string, string[]]> {
  return [
    [`is.${type}.${type}.read`, VIEW],
    [`is.${type}.${type}.list`, VIEW],
    [`is.${type}.${type}.operate`, OPERATE],
    [`is.${type}.${type}.create`, EDIT],
    [`is.${type}.${type}.update`, EDIT],
    [`is.${type}.${type}.delete`, EDIT],
  ];
}

export const iamEnabledServices: ServiceSeed[] = [
  {
    type: 'service',
    name: 'cloud-object-storage',
    displayName: 'Cloud Object Storage',
    roles: [...PLATFORM, ...READ, 'Content Reader', 'Object Reader', 'Object Writer'],
    actions: [
      ['cloud-object-storage.account.get_account_buckets', READ],
      ['cloud-object-storage.bucket.list_bucket_crn', [...READ, 'Content Reader']],
      ['cloud-object-storage.bucket.get', [...READ, 'Content Reader']],
      ['cloud-object-storage.bucket.head', [...READ, 'Content Reader', 'Object Reader']],
      ['cloud-object-storage.bucket.put_bucket', WRITE],
      ['cloud-object-storage.bucket.delete_bucket', WRITE],
      ['cloud-object-storage.bucket.get_versioning', READ],
      ['cloud-object-storage.bucket.put_versioning', WRITE],
      ['cloud-object-storage.bucket.get_lifecycle', READ],
      ['cloud-object-storage.bucket.put_lifecycle', ['Manager']],
      ['cloud-object-storage.bucket.get_firewall', WRITE],
      ['cloud-object-storage.bucket.put_firewall', ['Manager']],
      ['cloud-object-storage.object.get', [...READ, 'Content Reader', 'Object Reader']],
      ['cloud-object-storage.object.head', [...READ, 'Content Reader', 'Object Reader']],
      ['cloud-object-storage.object.put', [...WRITE, 'Object Writer']],
      ['cloud-object-storage.object.copy', WRITE],
      ['cloud-object-storage.object.delete', WRITE],
    ],
  },
  {
    type: 'service',
    name: 'kms',
    displayName: 'Key Protect',
    roles: [...PLATFORM, ...READ, 'ReaderPlus'],
    actions: [
      ['kms.secrets.list', [...READ, 'ReaderPlus']],
      ['kms.secrets.readmetadata', [...READ, 'ReaderPlus']],
      ['kms.secrets.read', [...WRITE, 'ReaderPlus']],
      ['kms.secrets.wrap', [...READ, 'ReaderPlus']],
      ['kms.secrets.unwrap', [...READ, 'ReaderPlus']],
      ['kms.secrets.create', WRITE],
      ['kms.secrets.rotate', WRITE],
      ['kms.secrets.setkeyfordeletion', ['Manager']],
      ['kms.secrets.delete', ['Manager']],
      ['kms.policies.read', [...READ, 'ReaderPlus']],
      ['kms.policies.write', ['Manager']],
      ['kms.instancepolicies.write', ['Manager']],
      ['kms.registrations.list', READ],
    ],
  },
  {
    type: 'service',
    name: 'containers-kubernetes',
    displayName: 'Kubernetes Service',
    roles: [...PLATFORM, ...READ],
    actions: [
      ['containers-kubernetes.cluster.read', VIEW],
      ['containers-kubernetes.cluster.update', OPERATE],
      ['containers-kubernetes.cluster.create', ['Administrator']],
      ['containers-kubernetes.cluster.delete', ['Administrator']],
      ['containers-kubernetes.worker.reload', OPERATE],
      ['containers-kubernetes.worker.create', ['Operator', 'Administrator']],
      ['containers-kubernetes.worker.delete', ['Operator', 'Administrator']],
      ['containers-kubernetes.namespace.read', READ],
      ['containers-kubernetes.namespace.write', WRITE],
      ['containers-kubernetes.cluster.admin', ['Manager']],
    ],
  },
  {
    type: 'service',
    name: 'is',
    displayName: 'VPC Infrastructure Services',
    roles: [...PLATFORM, ...READ],
    actions: [
      ...vpcResource('instance'),
      ...vpcResource('vpc'),
      ...vpcResource('subnet'),
      ...vpcResource('volume'),
      ...vpcResource('security-group'),
      ['is.instance.instance.console', ['Administrator', 'Manager']],
    ],
  },
];
