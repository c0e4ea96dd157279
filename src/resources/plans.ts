import type { Plan, QuotaDefinition } from './types.js';

/**
 * The plans instances can be created from. A plan names its catalog service, which becomes the
 * instance's CRN service segment and the `serviceName` its policies match. Cloud Object Storage
 * and Key Protect carry IBM's public catalog ids, so scripts written for IBM Cloud work unchanged;
 * the others use ids of Portcullis's own.
 */
const REGIONS = ['us-south', 'us-east', 'eu-gb', 'eu-de', 'eu-es', 'jp-tok', 'jp-osa', 'au-syd', 'ca-tor', 'br-sao'];

const COS = 'dff97f5c-bc5e-4455-b470-411c3edbe49c';
const KMS = 'ee41347f-b18e-4ca6-bf80-b5467c63f9a6';
const KUBERNETES = 'containers-kubernetes';
const VPC = 'is.vpc';

export const plans: readonly Plan[] = [
  { id: '2fdf0c08-2d32-4f46-84b5-32e0c92fffd8', name: 'lite', serviceName: 'cloud-object-storage', resourceId: COS, locations: ['global'] },
  { id: '744bfc56-d12c-4866-88d5-dac9139e0e5d', name: 'standard', serviceName: 'cloud-object-storage', resourceId: COS, locations: ['global'] },
  { id: 'eedd3585-90c6-4c9e-be1d-b2f0e6d5f6c6', name: 'tiered-pricing', serviceName: 'kms', resourceId: KMS, locations: REGIONS },
  { id: 'containers.kubernetes.cluster.standard', name: 'standard', serviceName: 'containers-kubernetes', resourceId: KUBERNETES, locations: REGIONS },
  { id: 'is.vpc.standard', name: 'standard', serviceName: 'is', resourceId: VPC, locations: REGIONS },
];

const byId = new Map(plans.map((p) => [p.id, p]));

/** The plan with that id, or undefined. */
export const planById = (id: string): Plan | undefined => byId.get(id);

/** Quota definitions resource groups may refer to; every new group gets `DEFAULT_QUOTA_ID`. */
const SEEDED_AT = '2026-01-01T00:00:00.000Z';

const quota = (id: string, name: string, instances: number, memory: string, vsi: number): QuotaDefinition => ({
  id,
  name,
  type: 'monthly',
  numberOfApps: instances,
  numberOfServiceInstances: instances,
  defaultNumberOfInstancesPerLitePlan: 1,
  instancesPerApp: 100,
  instanceMemory: '8G',
  totalAppMemory: memory,
  vsiLimit: vsi,
  createdAt: SEEDED_AT,
  updatedAt: SEEDED_AT,
});

export const quotaDefinitions: readonly QuotaDefinition[] = [
  quota('7ce89f4a4381455baf6d1a2cb8d7b8e1', 'Trial Quota', 10, '256M', 0),
  quota('a3d7b8d01e261c24677937c29ab33f3c', 'Free Quota', 25, '512M', 0),
  quota('3f8d1fd2e3c343e3a5e7b1e0d4ea4f22', 'Standard Quota', 4000, '2T', 25),
  quota('8e1d9b5c6f7a4c0e9d2b3a4f5e6d7c8b', 'Unlimited Quota', 100000, '100T', 1000),
];

export const DEFAULT_QUOTA_ID = '3f8d1fd2e3c343e3a5e7b1e0d4ea4f22';

export const quotaById = (id: string): QuotaDefinition | undefined => quotaDefinitions.find((q) => q.id === id);
