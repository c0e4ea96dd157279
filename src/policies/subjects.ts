import type { IdentityDirectory } from '../identity/directory.js';
import type { SubjectDirectory } from './validate.js';

/**
 * Policy subjects are looked up in the identity directory: a user IAM id is accepted even before
 * that user belongs to the account (IBM does so; it grants nothing until they authenticate in it),
 * service IDs and trusted profiles must be identities of the account. CRN identities (`crn-…`) have
 * no registry and are accepted by format.
 */
export function createSubjectDirectory(directory: IdentityDirectory): SubjectDirectory {
  return {
    async exists(accountId, iamId) {
      if (iamId.startsWith('crn-crn:')) return true;
      const identity = await directory.identityOf(accountId, iamId);
      return identity !== undefined && identity.kind !== 'access_group';
    },
  };
}
