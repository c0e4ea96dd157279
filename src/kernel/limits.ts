/**
 * Length and range limits of request fields where IBM documents none (IBM's own limits, where
 * documented, are declared next to their fields: access-group names ≤100, descriptions ≤250,
 * resource-group names ≤40, policy descriptions ≤300). Every string a client sends is bounded, so
 * no request can store megabytes in a name; every number is bounded, so none overflows a query.
 */
export const limits = {
  /** Names, display names, descriptions, free text. */
  text: 1024,
  /** Ids, IAM ids, CRNs, e-mail addresses, enum-like strings, attribute keys and values, page tokens. */
  id: 512,
  /** Long opaque values: API key values, tokens, JSON-encoded rule values, filters. */
  opaque: 8192,
  /** The largest offset a paged list accepts (beyond the total it returns an empty page). */
  offset: 2_147_483_647,
} as const;
