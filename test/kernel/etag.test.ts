import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/kernel/errors.js';
import { expectedTag, nextTag, onCurrentVersion, staleTag } from '../../src/kernel/etag.js';

describe('entity tags', () => {
  it('start a new entity at revision 1, in the <revision>-<32 hex> form', () => {
    expect(nextTag()).toMatch(/^1-[0-9a-f]{32}$/);
  });

  it('count revisions up and never repeat a tag of the same revision', () => {
    const second = nextTag('1-00000000000000000000000000000000');
    expect(second).toMatch(/^2-[0-9a-f]{32}$/);
    expect(nextTag('41-abc')).toMatch(/^42-/);
    expect(nextTag('1-x')).not.toBe(nextTag('1-x'));
  });

  it('restart at 1 after a tag that carries no revision', () => {
    expect(nextTag('garbage')).toMatch(/^1-/);
  });
});

describe('If-Match', () => {
  const current = '3-0123456789abcdef0123456789abcdef';

  it('returns the tag a conditional update must still find when the value names the current version', () => {
    expect(expectedTag(current, current)).toBe(current);
  });

  it('accepts any version for `*` and for no If-Match at all', () => {
    expect(expectedTag('*', current)).toBeUndefined();
    expect(expectedTag(undefined, current)).toBeUndefined();
    expect(expectedTag(undefined, undefined)).toBeUndefined();
  });

  it('refuses another version with a 412-kind error', () => {
    const attempt = () => expectedTag('2-0123456789abcdef0123456789abcdef', current);
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ kind: 'precondition_failed', code: 'precondition_failed' }));
  });

  it('refuses a named version of an entity that does not exist', () => {
    expect(() => expectedTag(current, undefined)).toThrow(expect.objectContaining({ kind: 'precondition_failed' }));
  });

  it('has one stale-tag error for every API', () => {
    expect(staleTag()).toMatchObject({ kind: 'precondition_failed', code: 'precondition_failed' });
  });

  it('runs a step again on the current version when If-Match is *, and only then', async () => {
    const staleTwice = () => {
      let calls = 0;
      const step = async () => {
        calls += 1;
        if (calls <= 2) throw staleTag();
        return calls;
      };
      return { step, calls: () => calls };
    };
    const any = staleTwice();
    expect(await onCurrentVersion('*', any.step)).toBe(3);
    const named = staleTwice();
    await expect(onCurrentVersion('1-00000000000000000000000000000000', named.step)).rejects.toMatchObject({ kind: 'precondition_failed' });
    expect(named.calls()).toBe(1);
    const limited = staleTwice();
    await expect(onCurrentVersion('*', limited.step, 2)).rejects.toMatchObject({ kind: 'precondition_failed' });
    expect(limited.calls()).toBe(2);
    let other = 0;
    await expect(onCurrentVersion('*', async () => { other += 1; throw new DomainError('forbidden', 'no', 'no'); })).rejects.toMatchObject({ kind: 'forbidden' });
    expect(other).toBe(1);
  });
});
