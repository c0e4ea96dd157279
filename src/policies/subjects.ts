import type { SubjectDirectory } from './validate.js';

const PROFILE_IAM_ID = /^iam-Profile-[0-9a-f-]{36}$/;

/**
 * Policy subjects that must exist: users (members of the account) and service IDs (of the account)
 * are looked up through the identity domain. Trusted profiles (`iam-Profile-…`) and CRN identities
 * (`crn-…`) have no registry yet and are accepted by format.
 */
export function createSubjectDirectory(isIdentityOf: (accountId: string, iamId: string) => Promise<boolean>): SubjectDirectory {
  return {
    async exists(accountId, iamId) {
      if (iamId.startsWith('crn-crn:') || PROFILE_IAM_ID.test(iamId)) return true;
      return isIdentityOf(accountId, iamId);
    },
  };
}
