import { describe, expect, it } from 'vitest';
import { bearerTokenOf } from '../../src/http/auth.js';

describe('bearerTokenOf', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['bearer abc', 'abc'],
    ['BEARER \tabc  ', 'abc'],
  ])('reads the token of %j', (header, token) => {
    expect(bearerTokenOf(header)).toBe(token);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Bearerabc', 'Basic abc', 'Bearer abc def', 'Bearer abc\tdef', ' Bearer abc'])(
    'refuses %j',
    (header) => {
      expect(bearerTokenOf(header)).toBeUndefined();
    },
  );
});
