// tests: k-means (src/quant/transforms/kmeans.ts) and vector quantization (vq.ts): invariants, storage formula, gain over RTN.
import { describe, expect, it } from 'vitest';
import { createRng, normal } from '../../src/lib/rng';
import { toFp16 } from '../../src/quant/transforms/base';
import { assignNearest, kmeans, kmeansObjective, kmeansPlusPlus } from '../../src/quant/transforms/kmeans';
import { applyVq, vqBits } from '../../src/quant/transforms/vq';
import { mse, rtn, weights } from './transforms-fixtures';

const gaussian = (n: number, seed: number) => {
  const rand = createRng(seed);
  return Float32Array.from({ length: n }, () => normal(rand));
};

describe('k-means', () => {
  it('never increases its objective (up to f32 rounding of the centres)', () => {
    for (const [d, k] of [[1, 3], [2, 16], [4, 64], [8, 32]]) {
      const fit = kmeans(gaussian(2000 * d, d), d, { k, iterations: 15, seed: 1 });
      // the f32 means and f32 nearest search can move the f64 objective by ~1e-7 relative
      for (let t = 1; t < fit.objective.length; t++) expect(fit.objective[t]).toBeLessThanOrEqual(fit.objective[t - 1] * (1 + 1e-6));
      expect(fit.objective.at(-1)).toBeLessThan(fit.objective[0]);
      expect(fit.objective.at(-1)).toBeCloseTo(kmeansObjective(gaussian(2000 * d, d), d, fit.codebook, fit.assignments), 6);
    }
  });

  it('assigns each vector its nearest codeword, ties to the lower index', () => {
    const codebook = Float32Array.of(0, 0, 1, 1, -1, 1);
    const vectors = Float32Array.of(0.1, 0.2, 0.9, 0.8, -2, 2, 0.5, 0.5);
    expect(Array.from(assignNearest({ vectors, d: 2, codebook }))).toEqual([0, 1, 2, 0]);
  });

  it('seeds k-means++ from the data, deterministically, and finds well-separated clusters exactly', () => {
    const centres = [[-5, -5], [5, 5], [5, -5]];
    const rand = createRng(3);
    const data = Float32Array.from({ length: 600 }, (_, i) => centres[Math.floor(i / 2) % 3][i % 2] + 0.01 * normal(rand));
    const init = kmeansPlusPlus(data, 2, 3, 7);
    expect(init).toEqual(kmeansPlusPlus(data, 2, 3, 7));
    const fit = kmeans(data, 2, { k: 3, iterations: 10, seed: 7 });
    const found = Array.from({ length: 3 }, (_, c) => [Math.round(fit.codebook[2 * c]), Math.round(fit.codebook[2 * c + 1])]);
    expect(found.sort((a, b) => a[0] - b[0] || a[1] - b[1])).toEqual([[-5, -5], [5, -5], [5, 5]]);
  });

  it('starts from a given codebook when asked', () => {
    const fit = kmeans(Float32Array.of(0, 1, 10, 11), 1, { k: 2, iterations: 0, seed: 0, init: Float32Array.of(0, 10) });
    expect(Array.from(fit.assignments)).toEqual([0, 0, 1, 1]);
    expect(() => kmeans(Float32Array.of(0, 1), 1, { k: 2, iterations: 1, seed: 0, init: Float32Array.of(0) })).toThrow(/has 1 values but 2 codewords/);
  });
});

describe('vector quantization', () => {
  it('counts b / d index bits per weight plus 2^b · d · 16 bits per codebook', () => {
    expect(vqBits(256, 512, { dim: 2, bits: 8 })).toEqual({ indexBits: 256 * 512 / 2 * 8, codebookBits: 256 * 2 * 16 });
    expect(vqBits(256, 512, { dim: 4, bits: 8, rowsPerCodebook: 64 })).toEqual({ indexBits: 256 * 512 / 4 * 8, codebookBits: 4 * 256 * 4 * 16 });
    const r = applyVq(weights(64, 64, 'gaussian'), 64, 64, { dim: 4, bits: 4, rowsPerCodebook: 48 }); // 2 codebooks: 48 + 16 rows
    expect(r.baseBits).toBe(64 * 64 / 4 * 4);
    expect(r.extraBits).toBe(2 * 16 * 4 * 16);
    expect(r.info.codebooks).toBe(2);
  });

  it('reproduces a tensor with at most 2^b distinct sub-vectors up to fp16 rounding, and uses only fp16 codewords', () => {
    const patterns = [[0.5, -0.25], [0.125, 0.75], [-1, 1], [0.3, 0.1]];
    const w = Float32Array.from({ length: 32 * 16 }, (_, i) => patterns[(Math.floor(i / 2) * 7) % 4][i % 2]);
    const r = applyVq(w, 32, 16, { dim: 2, bits: 2, iterations: 20 });
    expect(Array.from(r.xhat)).toEqual(Array.from(w, toFp16));
    const other = applyVq(weights(32, 16, 'gaussian'), 32, 16, { dim: 2, bits: 3 });
    for (const x of other.xhat) expect(toFp16(x)).toBe(x);
  });

  it('refuses a sub-vector length that does not divide the rows', () => {
    expect(() => applyVq(new Float32Array(30), 3, 10, { dim: 4, bits: 4 })).toThrow(/divides the row length 10/);
  });

  // 2-D k-means codebooks follow the joint density of neighbouring weights (dense centre, sparse
  // tails) instead of a uniform grid stretched by each block's extremes.
  const rows = 128, cols = 512;
  const w = weights(rows, cols, 'student-t', 4, 10);
  it('d = 2 with 256 codewords (4.125 bpw) beats INT4 blocks of 64 (4.25 bpw) at least 1.5×', () => {
    const r = applyVq(w, rows, cols, { dim: 2, bits: 8 });
    expect(r.bitsPerWeight).toBeCloseTo(4 + 256 * 2 * 16 / (rows * cols), 12);
    const ratio = mse(w, r.xhat) / mse(w, rtn(4)(w, rows, cols));
    expect(ratio).toBeLessThan(0.67);
    expect(ratio).toBeGreaterThan(0.2);
  }, 30_000); // ~1 s alone; the shared test machine can be several times slower

  it('d = 2 with 64 codewords (3.03 bpw) beats INT3 blocks of 64 (3.25 bpw) at least 1.5×', () => {
    const r = applyVq(w, rows, cols, { dim: 2, bits: 6 });
    const ratio = mse(w, r.xhat) / mse(w, rtn(3)(w, rows, cols));
    expect(r.bitsPerWeight).toBeLessThan(3.25);
    expect(ratio).toBeLessThan(0.67);
    expect(ratio).toBeGreaterThan(0.2);
  }, 30_000);
});
