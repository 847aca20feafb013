// tests (lib layer): transposing a row-major matrix.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transpose } from '../../src/lib/matrix';

describe('transpose', () => {
  it('moves element (r, c) to (c, r)', () => {
    expect([...transpose(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
  });
  it('is its own inverse for any shape', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (rows, cols) => {
      const x = Float32Array.from({ length: rows * cols }, (_, i) => i * 0.5 - 3);
      expect(transpose(transpose(x, rows, cols), cols, rows)).toEqual(x);
    }));
  });
});
