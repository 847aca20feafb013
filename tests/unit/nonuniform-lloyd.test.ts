// tests (quant layer): Lloyd-Max codebooks (src/quant/nonuniform/lloydMax.ts) against Max (1960) and the best uniform quantizer.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { createRng, laplace, normal } from '../../src/lib/rng';
import { groupLayout } from '../../src/quant/groups';
import { unpackCodes } from '../../src/quant/pack';
import {
  dequantizeLloydMax, fitLloydMax, fitLloydMaxSorted, fitUniformMidrise, lloydMaxBitsPerWeight, quantizeLloydMax, storedCodebook,
} from '../../src/quant/nonuniform/lloydMax';
import { sortSamples } from '../../src/quant/nonuniform/sorted';

const mse = (x: Float32Array, d: Float32Array): number => x.reduce((s, v, i) => s + (v - d[i]) ** 2, 0) / x.length;

/**
 * J. Max, "Quantizing for minimum distortion", IRE Trans. Inf. Theory IT-6(1):7-12, 1960: mean squared
 * error of N(0, 1) (unit variance) with N levels, Table I (optimum, non-uniform) and Table II (optimum
 * uniform, "equally spaced"). N = 4: 0.1175 / 0.1188, N = 8: 0.03454 / 0.03744, N = 16: 0.009497 / 0.01154.
 * An independent check: integrating the Gaussian density (Lloyd's iteration on exact cell moments, and
 * a golden-section step search) gives 0.117482 / 0.118846, 0.034548 / 0.037440, 0.009501 / 0.011543.
 * Table I's N = 16 output levels (positive half): 0.1284 0.3881 0.6568 0.9424 1.256 1.618 2.069 2.733.
 */
const MAX_1960 = [
  { bits: 2, lloyd: 0.1175, uniform: 0.1188 },
  { bits: 3, lloyd: 0.03454, uniform: 0.03744 },
  { bits: 4, lloyd: 0.009497, uniform: 0.01154 },
];
const MAX_LEVELS_16 = [0.1284, 0.3881, 0.6568, 0.9424, 1.256, 1.618, 2.069, 2.733];

describe('Max (1960) on 2^20 seeded N(0, 1) samples', () => {
  const n = 1 << 20, rand = createRng(1960);
  const x = Float32Array.from({ length: n }, () => f32(normal(rand)));
  const s = sortSamples(x);
  // Sampling error: the per-sample squared error has a relative std of ~1.5 (heavier for the outer
  // cells), so the MSE's relative std is ~1.5/1024 ≈ 0.15%; fitting on the same samples biases it down
  // by O(levels / n). 1% is > 5 std. Fit and evaluate on all 2^20 samples (prefix sums: ~0.1 s).
  for (const row of MAX_1960) {
    const L = 1 << row.bits;
    test(`${row.bits}-bit: Lloyd-Max ${row.lloyd}, best uniform ${row.uniform}, within 1%`, () => {
      const lm = fitLloydMaxSorted(s, L);
      expect(lm.converged).toBe(true);
      expect(Math.abs(lm.sse / n / row.lloyd - 1)).toBeLessThan(0.01);
      const u = fitUniformMidrise(s, L);
      expect(Math.abs(u.sse / n / row.uniform - 1)).toBeLessThan(0.01);
      expect(lm.sse).toBeLessThan(u.sse);
    });
  }
  test('4-bit levels match Table I within 0.03 absolute', () => {
    // Not relative: translating all levels together is a nearly flat direction of the squared error,
    // and a finite sample has exact Lloyd fixed points (the partition repeats) shifted by ~0.01
    // (seed 1960: inner levels -0.1377 / 0.1209 against ±0.1284). The MSE is second order in the shift.
    const lm = fitLloydMaxSorted(s, 16);
    const table = [...MAX_LEVELS_16.map((v) => -v).reverse(), ...MAX_LEVELS_16];
    lm.levels.forEach((v, k) => expect(Math.abs(v - table[k])).toBeLessThan(0.03));
  });
  test('the quantized tensor (stored fp32 codebook, midpoint tree) has the fitted MSE', () => {
    const q = quantizeLloydMax(x, groupLayout(1024, 1024, 'tensor'), { bits: 4, scope: 'tensor', codebookType: 'fp32' });
    expect(Math.abs(mse(x, dequantizeLloydMax(q)) / 0.009497 - 1)).toBeLessThan(0.01);
  });
});

describe('Lloyd-Max fit: goldens', () => {
  test('[0, 2, 3, 4, 10], 2 levels: init (2, 4) -> (5/3, 7) -> (2.25, 10), then the partition repeats', () => {
    // Init: ranks floor(0.5·5/2) = 1 and floor(1.5·5/2) = 3 -> levels 2, 4; threshold 3 -> {0,2,3} {4,10}
    // -> means 5/3, 7; threshold 13/3 -> {0,2,3,4} {10} -> 2.25, 10; threshold 6.125: same cells, stop.
    const fit = fitLloydMax([0, 2, 3, 4, 10], 2);
    expect(fit.levels).toEqual([2.25, 10]);
    expect(fit.iterations).toBe(2);
    expect(fit.converged).toBe(true);
    expect(fit.sse).toBeCloseTo(2.25 ** 2 + 0.25 ** 2 + 0.75 ** 2 + 1.75 ** 2, 12); // 8.75
  });
  test('fewer distinct values than levels: exact reconstruction', () => {
    const x = Float32Array.from([1, 1, 1, 5, 5, -2, -2, -2]);
    const q = quantizeLloydMax(x, groupLayout(1, 8, 'tensor'), { bits: 2, scope: 'tensor', codebookType: 'fp32' });
    expect([...dequantizeLloydMax(q)]).toEqual([...x]);
  });
  test('per group, and a fixed point that is not the optimum: [0, 1, 2, 3] -> levels (1, 3)', () => {
    // Init: ranks 1 and 3 -> levels 1, 3; threshold 2 and x <= 2 goes down -> cells {0,1,2} {3} ->
    // means 1, 3: the partition repeats at once. SSE 2, while (0.5, 2.5) would give 1: Lloyd's
    // iteration finds a fixed point, not always the global optimum (documented, deterministic).
    const x = Float32Array.from([0, 1, 2, 3, 100, 101, 102, 103]);
    const q = quantizeLloydMax(x, groupLayout(2, 4, 'row'), { bits: 1, scope: 'group', codebookType: 'fp16' });
    expect([...q.codebooks]).toEqual([1, 3, 101, 103]);
    expect(q.iterations).toEqual([1, 1]);
    expect([...unpackCodes(q.words, 1, 8)]).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    expect(lloydMaxBitsPerWeight(1, 'fp16', 2, 8)).toBe((8 + 2 * 2 * 16) / 8);
    expect(lloydMaxBitsPerWeight(4, 'fp32', 1, 4096)).toBe(4 + (16 * 32) / 4096);
  });
});

describe('Lloyd-Max: properties', () => {
  const arb = fc.record({
    bits: fc.integer({ min: 1, max: 5 }),
    seed: fc.nat(),
    len: fc.integer({ min: 1, max: 200 }),
    fp16: fc.boolean(),
  });
  test('codes in range, levels decode to themselves, the quantizer is monotone', () => {
    fc.assert(fc.property(arb, ({ bits, seed, len, fp16 }) => {
      const r = createRng(seed);
      const x = Float32Array.from({ length: len }, () => f32(laplace(r) * 3));
      const q = quantizeLloydMax(x, groupLayout(1, len, 'tensor'), { bits, scope: 'tensor', codebookType: fp16 ? 'fp16' : 'fp32' });
      const codes = unpackCodes(q.words, bits, len);
      expect(codes.every((c) => c < 1 << bits)).toBe(true);
      const cb = storedCodebook('t', [...q.codebooks]);
      for (const level of q.codebooks) expect(cb.decode(cb.encode(level))).toBe(level);
      const order = [...x.keys()].sort((i, j) => x[i] - x[j]);
      const d = dequantizeLloydMax(q);
      for (let k = 1; k < len; k++) expect(d[order[k]]).toBeGreaterThanOrEqual(d[order[k - 1]]);
    }), { seed: 1960, numRuns: 100 });
  });
  test('never worse than the best uniform midrise quantizer at the same bits (Laplace, Gaussian)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.nat(), fc.boolean(), (bits, seed, lap) => {
      const r = createRng(seed);
      const s = sortSamples(Array.from({ length: 4096 }, () => (lap ? laplace(r) : normal(r))));
      expect(fitLloydMaxSorted(s, 1 << bits).sse).toBeLessThanOrEqual(fitUniformMidrise(s, 1 << bits).sse * (1 + 1e-12));
    }), { seed: 7, numRuns: 30 });
  });
});
