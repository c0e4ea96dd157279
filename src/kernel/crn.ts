/**
 * Cloud Resource Names: `crn:v1:<cname>:<ctype>:<service>:<location>:<scope>:<instance>:<type>:<resource>`.
 * Always ten colon-separated segments; the last segment may itself contain colons.
 */
export interface Crn {
  cname: string;
  ctype: string;
  serviceName: string;
  location: string;
  scope: string;
  serviceInstance: string;
  resourceType: string;
  resource: string;
}

export function formatCrn(parts: Partial<Crn> & { serviceName: string }): string {
  return [
    'crn',
    'v1',
    parts.cname ?? 'bluemix',
    parts.ctype ?? 'public',
    parts.serviceName,
    parts.location ?? '',
    parts.scope ?? '',
    parts.serviceInstance ?? '',
    parts.resourceType ?? '',
    parts.resource ?? '',
  ].join(':');
}

/** Parses a CRN; returns undefined when the text is not one. */
export function parseCrn(text: string): Crn | undefined {
  const segments = text.split(':');
  if (segments.length < 10 || segments[0] !== 'crn' || segments[1] !== 'v1') return undefined;
  const [, , cname, ctype, serviceName, location, scope, serviceInstance, resourceType] = segments as string[];
  return {
    cname: cname!,
    ctype: ctype!,
    serviceName: serviceName!,
    location: location!,
    scope: scope!,
    serviceInstance: serviceInstance!,
    resourceType: resourceType!,
    resource: segments.slice(9).join(':'),
  };
}

/** The account id of an `a/<account>` scope segment, if the CRN has one. */
export const accountOfScope = (scope: string) => (scope.startsWith('a/') ? scope.slice(2) : undefined);

export const accountScope = (accountId: string) => `a/${accountId}`;
