import { randomBytes, randomUUID } from 'node:crypto';

/** Identifier formats of IBM Cloud IAM (shared/reference/identifiers.md). */

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function upperAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += UPPER_ALNUM[b % UPPER_ALNUM.length];
  return out;
}

export const ids = {
  account: () => hex(16),
  /** An IBMid-style user IAM id: `IBMid-` + 10 upper-case alphanumerics. */
  userIamId: () => `IBMid-${upperAlnum(10)}`,
  serviceId: () => `ServiceId-${randomUUID()}`,
  serviceIdGroup: () => `ServiceIdGroup-${randomUUID()}`,
  apiKey: () => `ApiKey-${randomUUID()}`,
  profile: () => `Profile-${randomUUID()}`,
  uuid: () => randomUUID(),
  hex32: () => hex(16),
  /** A fresh API key value: 32 random bytes, URL-safe, 43 characters. */
  apiKeyValue: () => randomBytes(32).toString('base64url'),
};

export const iamIdOfServiceId = (serviceId: string) => `iam-${serviceId}`;
export const iamIdOfProfile = (profileId: string) => `iam-${profileId}`;

export type SubjectKind = 'user' | 'serviceid' | 'profile';

/** The kind of identity an IAM id names, from its prefix; undefined when unrecognised. */
export function subjectKindOf(iamId: string): SubjectKind | undefined {
  if (iamId.startsWith('iam-ServiceId-')) return 'serviceid';
  if (iamId.startsWith('iam-Profile-')) return 'profile';
  if (/^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9]+$/.test(iamId) && !iamId.startsWith('iam-')) return 'user';
  return undefined;
}
