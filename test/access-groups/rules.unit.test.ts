import { describe, expect, it } from 'vitest';
import { checkRuleInput, conditionHolds, evaluateRules, type EvaluableRule } from '../../src/access-groups/rules.js';
import type { Operator } from '../../src/access-groups/types.js';
import { DomainError } from '../../src/kernel/errors.js';

const REALM = 'https://idp.example.org/SAML2';
const NOW = new Date('2024-05-01T10:00:00.000Z');

const rule = (over: Partial<EvaluableRule> & Pick<EvaluableRule, 'conditions'>): EvaluableRule => ({
  id: 'ClaimRule-1',
  groupId: 'AccessGroupId-a',
  expiration: 12,
  realmName: REALM,
  ...over,
});

const holds = (operator: Operator, value: string, claim: unknown) =>
  conditionHolds({ claim: 'c', operator, value }, claim === undefined ? {} : { c: claim });

describe('conditions', () => {
  it('EQUALS compares a single-valued claim with the JSON-decoded value', () => {
    expect(holds('EQUALS', '"admins"', 'admins')).toBe(true);
    expect(holds('EQUALS', 'admins', 'admins')).toBe(true); // not JSON: taken literally
    expect(holds('EQUALS', '"admins"', 'Admins')).toBe(false);
    expect(holds('EQUALS', 'true', true)).toBe(true);
    expect(holds('EQUALS', 'true', 'true')).toBe(true);
    expect(holds('EQUALS', '42', 42)).toBe(true);
    expect(holds('EQUALS', '"admins"', ['admins'])).toBe(true);
    expect(holds('EQUALS', '"admins"', ['admins', 'devs'])).toBe(false);
    expect(holds('EQUALS', '"admins"', undefined)).toBe(false);
    expect(holds('EQUALS', '"admins"', null)).toBe(false);
  });

  it('NOT_EQUALS holds for a present claim that does not equal the value', () => {
    expect(holds('NOT_EQUALS', '"admins"', 'devs')).toBe(true);
    expect(holds('NOT_EQUALS', '"admins"', 'admins')).toBe(false);
    expect(holds('NOT_EQUALS', '"admins"', 'Admins')).toBe(true);
    expect(holds('NOT_EQUALS', '"admins"', undefined)).toBe(false); // absent claims grant nothing
  });

  it('EQUALS_IGNORE_CASE and NOT_EQUALS_IGNORE_CASE fold letter case', () => {
    expect(holds('EQUALS_IGNORE_CASE', '"ADMINS"', 'admins')).toBe(true);
    expect(holds('EQUALS_IGNORE_CASE', '"admins"', 'devs')).toBe(false);
    expect(holds('NOT_EQUALS_IGNORE_CASE', '"ADMINS"', 'admins')).toBe(false);
    expect(holds('NOT_EQUALS_IGNORE_CASE', '"ADMINS"', 'devs')).toBe(true);
    expect(holds('NOT_EQUALS_IGNORE_CASE', '"ADMINS"', undefined)).toBe(false);
  });

  it('IN holds when every value of the claim is listed', () => {
    expect(holds('IN', '["eu","us"]', 'eu')).toBe(true);
    expect(holds('IN', '["eu","us"]', 'ap')).toBe(false);
    expect(holds('IN', '["eu","us"]', ['eu', 'us'])).toBe(true);
    expect(holds('IN', '["eu","us"]', ['eu', 'ap'])).toBe(false);
    expect(holds('IN', '["eu","us"]', [])).toBe(false);
    expect(holds('IN', '"eu"', 'eu')).toBe(true); // a single value is a list of one
    expect(holds('IN', '["eu"]', undefined)).toBe(false);
  });

  it('CONTAINS finds an element of a multi-valued claim or a substring of a text claim', () => {
    expect(holds('CONTAINS', '"test-bluegroup-saml"', ['a', 'test-bluegroup-saml'])).toBe(true);
    expect(holds('CONTAINS', '"bluegroup"', ['a', 'test-bluegroup-saml'])).toBe(false);
    expect(holds('CONTAINS', '"bluegroup"', 'test-bluegroup-saml')).toBe(true);
    expect(holds('CONTAINS', '"red"', 'test-bluegroup-saml')).toBe(false);
    expect(holds('CONTAINS', '"red"', undefined)).toBe(false);
  });
});

describe('evaluateRules', () => {
  it('grants a group when every condition of a rule of the realm holds, for `expiration` hours', () => {
    const rules = [
      rule({
        conditions: [
          { claim: 'isManager', operator: 'EQUALS', value: 'true' },
          { claim: 'groups', operator: 'CONTAINS', value: '"mgmt"' },
        ],
      }),
    ];
    expect(evaluateRules(rules, { realmName: REALM, claims: { isManager: 'true', groups: ['mgmt', 'x'] } }, NOW)).toEqual([
      { groupId: 'AccessGroupId-a', expiresAt: '2024-05-01T22:00:00.000Z', ruleIds: ['ClaimRule-1'] },
    ]);
    // One condition failing fails the rule.
    expect(evaluateRules(rules, { realmName: REALM, claims: { isManager: 'true', groups: ['x'] } }, NOW)).toEqual([]);
  });

  it('ignores rules of other realms', () => {
    const rules = [rule({ conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"it"' }] })];
    expect(evaluateRules(rules, { realmName: 'https://other.example.org', claims: { dept: 'it' } }, NOW)).toEqual([]);
    expect(evaluateRules(rules, { realmName: `${REALM}/`, claims: { dept: 'it' } }, NOW)).toEqual([]);
  });

  it('merges the rules of one group: the latest expiry wins, every matching rule is named', () => {
    const rules = [
      rule({ id: 'ClaimRule-short', expiration: 1, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"it"' }] }),
      rule({ id: 'ClaimRule-long', expiration: 24, conditions: [{ claim: 'site', operator: 'IN', value: '["a","b"]' }] }),
      rule({ id: 'ClaimRule-miss', expiration: 24, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"hr"' }] }),
      rule({ id: 'ClaimRule-b', groupId: 'AccessGroupId-b', expiration: 2, conditions: [{ claim: 'dept', operator: 'EQUALS_IGNORE_CASE', value: '"IT"' }] }),
    ];
    expect(evaluateRules(rules, { realmName: REALM, claims: { dept: 'it', site: 'a' } }, NOW)).toEqual([
      { groupId: 'AccessGroupId-a', expiresAt: '2024-05-02T10:00:00.000Z', ruleIds: ['ClaimRule-short', 'ClaimRule-long'] },
      { groupId: 'AccessGroupId-b', expiresAt: '2024-05-01T12:00:00.000Z', ruleIds: ['ClaimRule-b'] },
    ]);
  });

  it('grants nothing without rules or without claims', () => {
    expect(evaluateRules([], { realmName: REALM, claims: { dept: 'it' } }, NOW)).toEqual([]);
    const rules = [rule({ conditions: [{ claim: 'dept', operator: 'NOT_EQUALS', value: '"hr"' }] })];
    expect(evaluateRules(rules, { realmName: REALM, claims: {} }, NOW)).toEqual([]);
  });
});

describe('checkRuleInput', () => {
  const valid = { expiration: 12, realmName: REALM, conditions: [{ claim: 'dept', operator: 'EQUALS', value: '"it"' }] };
  const message = (input: unknown) => {
    try {
      checkRuleInput(input as typeof valid);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).kind).toBe('invalid');
      return (error as DomainError).message;
    }
    return undefined;
  };

  it('accepts a well-formed rule and trims its name', () => {
    expect(checkRuleInput({ ...valid, name: '  Managers  ' })).toMatchObject({ name: 'Managers', expiration: 12 });
  });

  it('refuses expirations outside 1–24 whole hours, empty realms, bad conditions', () => {
    expect(message({ ...valid, expiration: 0 })).toContain('expiration');
    expect(message({ ...valid, expiration: 25 })).toContain('expiration');
    expect(message({ ...valid, expiration: 1.5 })).toContain('expiration');
    expect(message({ ...valid, realmName: ' ' })).toContain('realm_name');
    expect(message({ ...valid, conditions: [] })).toContain('conditions');
    expect(message({ ...valid, conditions: [{ claim: '', operator: 'EQUALS', value: '1' }] })).toContain('claim');
    expect(message({ ...valid, conditions: [{ claim: 'a', operator: 'LIKE', value: '1' }] })).toContain('LIKE');
    expect(message({ ...valid, conditions: [{ claim: 'a', operator: 'NOT_IN', value: '["x"]' }] })).toContain('NOT_IN');
    expect(message({ ...valid, conditions: [{ claim: 'a', operator: 'EQUALS', value: '["x","y"]' }] })).toContain('only IN');
  });
});
