// tests (quant layer): LLM-FP4-style ExMy + clip search per tensor (src/quant/nonuniform/llmFp4.ts).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { createRng, normal, studentT } from '../../src/lib/rng';
import { E2M1 } from '../../src/quant/formats/fp';
import { unpackCodes } from '../../src/quant/pack';
import {
  CLIP_GRID, dequantizeFpSearch, fpCandidates, fpSearchBitsPerWeight, quantizeFpFixed, quantizeFpSearch,
} from '../../src/quant/nonuniform/llmFp4';

const mse = (x: Float32Array, d: Float32Array): number => x.reduce((s, v, i) => s + (v - d[i]) ** 2, 0) / x.length;

describe('candidates and goldens', () => {
  test('4 bits: E1M2 and E2M1 (E3M0 has no mantissa bit); 8 bits: E1M6 .. E6M1', () => {
    expect(fpCandidates(4).map((f) => [f.spec.e, f.spec.m])).toEqual([[1, 2], [2, 1]]);
    expect(fpCandidates(4)[0].values.filter((v) => v >= 0)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]); // bias 0: uniform, max 3.5
    expect(fpCandidates(8).length).toBe(6);
    expect(CLIP_GRID.length).toBe(71);
    expect(CLIP_GRID[0]).toBe(0.3);
    expect(CLIP_GRID.at(-1)).toBe(1);
  });
  test('data on a uniform 15-level grid picks E1M2 at clip 1 (scale 1.75 / 3.5) with zero error', () => {
    const x = Float32Array.from({ length: 15 }, (_, i) => (i - 7) / 4);
    const q = quantizeFpSearch(x, 4);
    expect([q.format.spec.e, q.format.spec.m, q.clipRatio, q.scale]).toEqual([1, 2, 1, 0.5]);
    expect([...dequantizeFpSearch(q)]).toEqual([...x]);
  });
  test('data on the E2M1 grid picks E2M1 at clip 1 (scale 6/6), codes as OCP E2M1', () => {
    const x = Float32Array.from([0, 0.5, 1, 1.5, 2, 3, 4, 6, -0.5, -6]);
    const q = quantizeFpSearch(x, 4);
    expect([q.format.spec.e, q.format.spec.m, q.clipRatio, q.scale]).toEqual([2, 1, 1, 1]);
    expect([...unpackCodes(q.words, 4, 10)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 9, 15]);
    expect([...dequantizeFpSearch(q)]).toEqual([...x]);
  });
  test('bits per weight: codes + fp32 scale + one byte for the format', () => {
    expect(fpSearchBitsPerWeight(4, 1000)).toBe(4.04);
  });
});

describe('the search never loses to fixed E2M1 at absmax', () => {
  test('Gaussian and Student-t(3), 4 bits; the reported MSE is the real one', () => {
    fc.assert(fc.property(fc.nat(), fc.boolean(), (seed, heavy) => {
      const r = createRng(seed);
      const x = Float32Array.from({ length: 2048 }, () => f32(heavy ? studentT(r, 3) : normal(r)));
      const q = quantizeFpSearch(x, 4);
      const searched = mse(x, dequantizeFpSearch(q));
      const fixed = mse(x, dequantizeFpSearch(quantizeFpFixed(x, E2M1)));
      expect(searched).toBeLessThanOrEqual(fixed * (1 + 1e-9));
      const reported = q.search.find((s) => s.e === q.format.spec.e && s.clipRatio === q.clipRatio)?.mse ?? NaN;
      expect(Math.abs(reported / searched - 1)).toBeLessThan(1e-6);
      // Gaussian data: clipping helps (the absmax grid wastes levels on the tails)
      if (!heavy) expect(searched).toBeLessThan(fixed);
    }), { seed: 2023, numRuns: 20 });
  });
  test('monotone, codes in range, every bit width 3..8', () => {
    const r = createRng(1);
    const x = Float32Array.from({ length: 300 }, () => f32(normal(r))).sort();
    for (let bits = 3; bits <= 8; bits++) {
      const q = quantizeFpSearch(x, bits);
      expect(q.format.bits).toBe(bits);
      const d = dequantizeFpSearch(q);
      for (let i = 1; i < x.length; i++) expect(d[i]).toBeGreaterThanOrEqual(d[i - 1]);
      expect(unpackCodes(q.words, bits, 300).every((c) => c < 1 << bits)).toBe(true);
    }
  });
});
