import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimAt, conditionMatches, linkMatches, matchProfile, ruleMatches, type CrLink, type CrRule } from '../../src/workload/match.js';
import type { IssuerType, TrustedIssuer, WorkloadIdentity } from '../../src/workload/types.js';

/** Matching links and Profile-CR rules against a verified workload token. */

const CLUSTER = 'crn:v1:bluemix:public:containers-kubernetes:us-south:a/x::cluster:c1';

const identity = (type: IssuerType = 'kubernetes', over: Partial<WorkloadIdentity> = {}): WorkloadIdentity => ({
  issuer: { type, id: 'TrustedIssuer-1', accountId: 'a' } as TrustedIssuer,
  crn: CLUSTER,
  namespace: 'prod',
  name: 'api',
  claims: {
    iss: 'https://cluster.example.com',
    sub: 'system:serviceaccount:prod:api',
    'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'api' } },
    repository: 'acme/web',
    groups: ['dev', 'ops'],
  },
  ...over,
});

const rule = (conditions: CrRule['conditions'], crType = 'IKS_SA'): CrRule => ({ id: 'r', type: 'Profile-CR', crType, conditions });
const json = (v: unknown) => JSON.stringify(v);

describe('claim matching', () => {
  it('finds nested claims by dotted path, keys with dots included', () => {
    const claims = identity().claims;
    expect(claimAt(claims, 'kubernetes.io.namespace')).toBe('prod');
    expect(claimAt(claims, 'kubernetes.io.serviceaccount.name')).toBe('api');
    expect(claimAt(claims, 'kubernetes.io.nothing')).toBeUndefined();
    expect(claimAt({ 'a.b': 1, a: { b: 2 } }, 'a.b')).toBe(1);
  });

  it.each([
    ['namespace EQUALS', { claim: 'namespace', operator: 'EQUALS', value: json('prod') }, true],
    ['namespace EQUALS another', { claim: 'namespace', operator: 'EQUALS', value: json('dev') }, false],
    ['name NOT_EQUALS', { claim: 'name', operator: 'NOT_EQUALS', value: json('worker') }, true],
    ['crn EQUALS', { claim: 'crn', operator: 'EQUALS', value: json(CLUSTER) }, true],
    ['nested claim EQUALS', { claim: 'kubernetes.io.namespace', operator: 'EQUALS', value: json('prod') }, true],
    ['IN', { claim: 'namespace', operator: 'IN', value: json(['prod', 'stage']) }, true],
    ['NOT_IN', { claim: 'namespace', operator: 'NOT_IN', value: json(['dev', 'stage']) }, true],
    ['NOT_IN holding', { claim: 'namespace', operator: 'NOT_IN', value: json(['prod']) }, false],
    ['NOT_IN on an absent claim', { claim: 'missing', operator: 'NOT_IN', value: json(['x']) }, false],
    ['CONTAINS on a text claim', { claim: 'repository', operator: 'CONTAINS', value: json('acme/') }, true],
    ['CONTAINS on a list claim', { claim: 'groups', operator: 'CONTAINS', value: json('ops') }, true],
    ['EQUALS_IGNORE_CASE', { claim: 'repository', operator: 'EQUALS_IGNORE_CASE', value: json('ACME/Web') }, true],
    ['an unknown operator', { claim: 'namespace', operator: 'MATCHES', value: json('prod') }, false],
  ])('%s', (_what, condition, expected) => {
    expect(conditionMatches(identity(), condition)).toBe(expected);
  });

  it('matches a Profile-CR rule only of a compatible cr_type and with at least one condition', () => {
    const conditions = [{ claim: 'namespace', operator: 'EQUALS', value: json('prod') }];
    expect(ruleMatches(identity(), rule(conditions, 'IKS_SA'))).toBe(true);
    expect(ruleMatches(identity(), rule(conditions, 'ROKS_SA'))).toBe(true);
    expect(ruleMatches(identity(), rule(conditions, 'CE'))).toBe(false);
    expect(ruleMatches(identity('code_engine'), rule(conditions, 'IKS_SA'))).toBe(false);
    expect(ruleMatches(identity('oidc'), rule(conditions, 'IKS_SA'))).toBe(true);
    expect(ruleMatches(identity(), rule([]))).toBe(false);
    expect(ruleMatches(identity(), { ...rule(conditions), type: 'Profile-SAML' })).toBe(false);
  });

  it('matches a link by cluster, then namespace and name when it gives them', () => {
    const link = (l: CrLink['link'], crType = 'IKS_SA'): CrLink => ({ id: 'l', crType, link: l });
    expect(linkMatches(identity(), link({ crn: CLUSTER, namespace: 'prod', name: 'api' }))).toBe(true);
    expect(linkMatches(identity(), link({ crn: CLUSTER, namespace: 'prod' }))).toBe(true);
    expect(linkMatches(identity(), link({ crn: CLUSTER, namespace: 'dev', name: 'api' }))).toBe(false);
    expect(linkMatches(identity(), link({ crn: CLUSTER, namespace: 'prod', name: 'worker' }))).toBe(false);
    expect(linkMatches(identity(), link({ crn: `${CLUSTER}2`, namespace: 'prod', name: 'api' }))).toBe(false);
    expect(linkMatches(identity(), link({ crn: CLUSTER }, 'CE'))).toBe(false);
  });

  it('NOT_IN is exactly "present and not IN", and an all-conditions rule needs every condition (property)', () => {
    const value = fc.constantFrom('prod', 'dev', 'stage', 'PROD');
    fc.assert(
      fc.property(value, fc.array(value, { maxLength: 4 }), (namespace, list) => {
        const id = identity('kubernetes', { namespace });
        const inList = conditionMatches(id, { claim: 'namespace', operator: 'IN', value: json(list) });
        const notIn = conditionMatches(id, { claim: 'namespace', operator: 'NOT_IN', value: json(list) });
        expect(notIn).toBe(!inList);
        expect(inList).toBe(list.includes(namespace));
      }),
    );
    const condition = fc.record({ claim: fc.constantFrom('namespace', 'name', 'crn'), operator: fc.constantFrom('EQUALS', 'NOT_EQUALS'), value: value.map(json) });
    fc.assert(
      fc.property(fc.array(condition, { minLength: 1, maxLength: 4 }), (conditions) => {
        const all = conditions.every((c) => conditionMatches(identity(), c));
        expect(ruleMatches(identity(), rule(conditions))).toBe(all);
        expect(matchProfile(identity(), [rule(conditions)], []).matched).toBe(all);
      }),
    );
  });
});
