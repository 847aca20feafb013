// tests: codebook element formats (src/quant/formats/codebooks.ts): bitsandbytes NF4/FP4, NF3/NF2, llama.cpp IQ4_NL.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  FP4_BNB, IQ4NL_VALUES, NF2, NF3, NF4, NF4_LEVELS, NF4_THRESHOLDS, bestIndexInt8, linspaceF32,
  midpointThresholds, normalFloatLevels,
} from '../../src/quant/formats/codebooks';
import { normalCdf, normalPpf } from '../../src/quant/formats/normal';

const nextUp = (x: number): number => {
  const b = new Float32Array([x]); const u = new Uint32Array(b.buffer);
  u[0] += x >= 0 ? 1 : -1; return b[0];
};

describe('NormalFloat construction', () => {
  test('normal quantile inverts the CDF', () => {
    for (const p of [0.5, 0.6, 0.9, 0.9677083, 0.99]) expect(normalCdf(normalPpf(p))).toBeCloseTo(p, 15);
    expect(normalPpf(0.975)).toBeCloseTo(1.959963984540054, 14);
  });
  test('torch-style f32 linspace keeps both ends exact', () => {
    const l = linspaceF32(0.9677083, 0.5, 9);
    expect(l[0]).toBe(Math.fround(0.9677083));
    expect(l[8]).toBe(0.5);
  });
  test('create_normal_map rebuilt here reproduces bitsandbytes NF4 bit for bit', () => {
    expect(normalFloatLevels(4)).toEqual(NF4_LEVELS);
  });
  test('the NF4 tree thresholds are the f32 midpoints of adjacent levels', () => {
    expect(midpointThresholds(NF4_LEVELS)).toEqual(NF4_THRESHOLDS);
  });
  test('NF3 and NF2: sorted, one zero, ends at ±1, one more positive level', () => {
    for (const [cb, n] of [[NF3, 8], [NF2, 4]] as const) {
      expect(cb.levels.length).toBe(n);
      expect(cb.levels[0]).toBe(-1);
      expect(cb.levels[n - 1]).toBe(1);
      expect(cb.levels.filter((v) => v === 0).length).toBe(1);
      expect(cb.levels.filter((v) => v > 0).length).toBe(n / 2);
      for (let i = 1; i < n; i++) expect(cb.levels[i]).toBeGreaterThan(cb.levels[i - 1]);
    }
  });
});

describe('NF4 encode (dQuantizeNF4 decision tree)', () => {
  test('golden codes, exact threshold ties take the lower code', () => {
    expect(NF4.encode(1)).toBe(15);
    expect(NF4.encode(-1)).toBe(0);
    expect(NF4.encode(0)).toBe(7);
    expect(NF4.encode(0.5)).toBe(12);
    expect(NF4.encode(-0.3)).toBe(4);
    expect(NF4.encode(NF4_THRESHOLDS[7])).toBe(7);
    expect(NF4.encode(nextUp(NF4_THRESHOLDS[7]))).toBe(8);
    expect(NF4.encode(NF4_THRESHOLDS[0])).toBe(0);
    expect(NF4.encode(nextUp(NF4_THRESHOLDS[14]))).toBe(15);
    expect(NF4.encode(NaN)).toBe(0);
    expect(NF4.decode(7)).toBe(0);
  });
});

describe('bitsandbytes FP4 (not E2M1)', () => {
  test('table by code and tree encode', () => {
    expect(FP4_BNB.levels.slice(0, 8)).toEqual([0, 0.005208333333, 0.66666667, 1, 0.33333333, 0.5, 0.16666667, 0.25].map(Math.fround));
    expect(FP4_BNB.decode(0b1011)).toBe(-1);
    expect(FP4_BNB.encode(1)).toBe(0b0011);
    expect(FP4_BNB.encode(-0.5)).toBe(0b1101);
    expect(FP4_BNB.encode(Math.fround(0.29166667))).toBe(0b0111); // tie: lower magnitude (0.25)
    expect(FP4_BNB.encode(0.002)).toBe(0);
    expect(FP4_BNB.encode(-0)).toBe(0);
    expect(FP4_BNB.encode(0.2)).toBe(0b0110);
  });
});

describe('IQ4_NL table and best_index_int8', () => {
  test('table and ties (ties take the upper level)', () => {
    expect(IQ4NL_VALUES).toEqual([-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]);
    expect(bestIndexInt8(IQ4NL_VALUES, -115.5)).toBe(1);
    expect(bestIndexInt8(IQ4NL_VALUES, 7)).toBe(9);
    expect(bestIndexInt8(IQ4NL_VALUES, 6.99)).toBe(8);
    expect(bestIndexInt8(IQ4NL_VALUES, -500)).toBe(0);
    expect(bestIndexInt8(IQ4NL_VALUES, 120)).toBe(15);
  });
});

describe('codebook properties', () => {
  const ordered = [NF4, NF3, NF2];
  for (const cb of ordered) {
    test(`${cb.id}: levels round-trip, monotonic, nearest within half a gap`, () => {
      cb.levels.forEach((v, c) => expect(cb.encode(v)).toBe(c));
      const x = fc.double({ min: -1.5, max: 1.5, noNaN: true }).map(Math.fround);
      fc.assert(fc.property(x, x, (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return cb.decode(cb.encode(lo)) <= cb.decode(cb.encode(hi));
      }), { seed: 5, numRuns: 2000 });
      fc.assert(fc.property(x, (v) => {
        const r = cb.decode(cb.encode(v));
        if (v <= -1 || v >= 1) return r === Math.sign(v);
        const k = cb.levels.findIndex((w) => w >= v);
        const gap = cb.levels[k] - cb.levels[Math.max(0, k - 1)];
        return Math.abs(v - r) <= gap / 2 + 1e-7; // thresholds are f32-rounded midpoints
      }), { seed: 6, numRuns: 2000 });
    });
  }
  test('fp4-bnb and iq4nl: every level round-trips', () => {
    FP4_BNB.levels.forEach((v, c) => expect(FP4_BNB.decode(FP4_BNB.encode(v))).toBe(v === 0 ? 0 : FP4_BNB.levels[c]));
    IQ4NL_VALUES.forEach((v, c) => expect(bestIndexInt8(IQ4NL_VALUES, v)).toBe(c));
  });
});
