// tests (lib layer): the assertion helper throws with its message on falsy conditions only.
import { describe, expect, it } from 'vitest';
import { assert } from '../../src/lib/assert';

describe('assert', () => {
  it('throws Error(message) for every falsy condition', () => {
    for (const falsy of [false, 0, -0, '', null, undefined, NaN, 0n]) {
      expect(() => assert(falsy, `bad ${String(falsy)}`)).toThrowError(new Error(`bad ${String(falsy)}`));
    }
  });
  it('returns quietly for truthy conditions', () => {
    for (const truthy of [true, 1, 'x', {}, [], -1, Infinity]) {
      expect(assert(truthy, 'never')).toBeUndefined();
    }
  });
  it('narrows the type after the call', () => {
    const v: number | undefined = [3][0] as number | undefined;
    assert(v !== undefined, 'v is defined');
    const n: number = v; // would not type-check without the asserts signature
    expect(n).toBe(3);
  });
});
