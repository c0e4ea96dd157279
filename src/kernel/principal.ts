import type { SubjectKind } from './ids.js';

/** The authenticated caller of a management API, from a verified access token. */
export interface Principal {
  iamId: string;
  kind: SubjectKind;
  /** The account the token is scoped to (`account.bss`). */
  accountId: string;
  /** Display name from the token, for audit records. */
  name: string;
}

/** What a service needs to know about the call it serves. */
export interface Actor {
  principal: Principal;
  /** The Transaction-Id of the request, for audit events and logs. */
  requestId: string;
}

/** Turns a bearer token into a principal, or throws DomainError('unauthenticated'). */
export interface Authenticator {
  authenticate(bearerToken: string): Promise<Principal>;
}
