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

/**
 * Where a request comes from, for the restrictions that decide on it (account IP allow-lists,
 * context-based restrictions): the client address (the socket peer, or the `X-Forwarded-For`
 * client when the peer is a trusted proxy) and the kind of endpoint it reached.
 */
export interface RequestEnvironment {
  /** IPv4 dotted quad or IPv6 text; an IPv4-mapped IPv6 peer is reported as its IPv4 address. */
  clientAddress: string;
  /** `private` when the request reached the server under a `private.` host name (IBM's private endpoints). */
  endpointType: 'public' | 'private';
}

/** What a service needs to know about the call it serves. */
export interface Actor {
  principal: Principal;
  /** The Transaction-Id of the request, for audit events and logs. */
  requestId: string;
  /**
   * Where the call comes from. Always set for calls that arrive over HTTP; absent for calls a
   * service makes on its own behalf (bootstrap, tests through the services).
   */
  environment?: RequestEnvironment;
}

/** Turns a bearer token into a principal, or throws DomainError('unauthenticated'). */
export interface Authenticator {
  authenticate(bearerToken: string): Promise<Principal>;
}
