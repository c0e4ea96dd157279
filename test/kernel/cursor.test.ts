import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeCursor, dropEmptyCursors, encodeCursor, isString, isStringPair, limitOf, type LimitRange } from '../../src/kernel/cursor.js';
import { DomainError } from '../../src/kernel/errors.js';

const refused = () => new DomainError('invalid', 'bad_cursor', 'not ours');

describe('cursor codec', () => {
  it('gives back exactly what it encoded, as URL-safe text', () => {
    fc.assert(
      fc.property(fc.tuple(fc.string(), fc.string()), (key) => {
        const text = encodeCursor(key);
        expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
        expect(decodeCursor(text, isStringPair, refused)).toEqual(key);
      }),
    );
  });

  it('refuses text that is not a cursor, or a cursor of another shape, with the caller’s error', () => {
    for (const text of ['', '=', 'not a cursor', '!!!!', encodeCursor('x') + '$', Buffer.from('{"a":').toString('base64url')]) {
      expect(() => decodeCursor(text, isString, refused), text).toThrow(expect.objectContaining({ code: 'bad_cursor' }));
    }
    expect(() => decodeCursor(encodeCursor(['a', 'b']), isString, refused)).toThrow(expect.objectContaining({ code: 'bad_cursor' }));
    expect(() => decodeCursor(encodeCursor({ after: 1 }), isStringPair, refused)).toThrow(expect.objectContaining({ code: 'bad_cursor' }));
  });

  it('refuses a cursor with characters outside base64url, even where decoding would skip them', () => {
    const text = encodeCursor('IBMid-1234567890');
    expect(() => decodeCursor(`${text.slice(0, 4)}.${text.slice(4)}`, isString, refused)).toThrow(expect.objectContaining({ code: 'bad_cursor' }));
  });
});

describe('page limits', () => {
  const range: LimitRange = { min: 1, max: 100, default: 20 };

  it('take the default when absent and any integer in range as given', () => {
    expect(limitOf(undefined, range)).toBe(20);
    expect(limitOf(1, range)).toBe(1);
    expect(limitOf(100, range)).toBe(100);
    expect(limitOf(0, { min: 0, max: 100, default: 50 })).toBe(0);
  });

  it('refuse anything else with a 400 naming the parameter and the range', () => {
    for (const value of [0, 101, 1.5, -1, '10', null, Number.NaN]) {
      expect(() => limitOf(value, range, 'pagesize'), String(value)).toThrow(
        expect.objectContaining({ kind: 'invalid', message: 'pagesize must be an integer from 1 to 100.' }),
      );
    }
  });

  it('refuse with the API’s own error when it has one', () => {
    expect(() => limitOf(0, range, 'limit', (m) => new DomainError('invalid', 'invalid_body', m))).toThrow(
      expect.objectContaining({ code: 'invalid_body' }),
    );
  });
});

describe('empty cursor parameters', () => {
  it('are dropped; other parameters, and cursors with a value, stay', () => {
    const query: Record<string, unknown> = { start: '', _start: '', next_docid: '', pagetoken: '', limit: 5, search: '', next: '' };
    dropEmptyCursors(query);
    expect(query).toEqual({ limit: 5, search: '', next: '' });
    const given: Record<string, unknown> = { start: 'abc', pagetoken: ['', ''] };
    dropEmptyCursors(given);
    expect(given).toEqual({ start: 'abc' });
  });
});
