// tests: randomized SVD, Jacobi SVD and the low-rank + quantized residual method (src/quant/transforms/{svd,linalg,lowRank}.ts).
import { describe, expect, it } from 'vitest';
import { createRng, normal } from '../../src/lib/rng';
import { jacobiSvd, matmulF32, matmulF64, orthonormalizeColumns } from '../../src/quant/transforms/linalg';
import { applyLowRank, lowRankBits } from '../../src/quant/transforms/lowRank';
import { randomizedSvd } from '../../src/quant/transforms/svd';
import { bitsOf, mse, rtn, weights } from './transforms-fixtures';

const gaussian = (n: number, seed: number) => {
  const rand = createRng(seed);
  return Float64Array.from({ length: n }, () => normal(rand));
};

/** max |Wᵀ W − I| over the l columns of the row-major f64[m · l] W. */
function orthogonalityError(w: Float64Array, m: number, l: number): number {
  let worst = 0;
  for (let a = 0; a < l; a++) {
    for (let b = 0; b < l; b++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += w[i * l + a] * w[i * l + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe('dense linear algebra', () => {
  it('one-sided Jacobi: G = W diag(s) Jᵀ with orthonormal W, J and descending s', () => {
    const m = 40, l = 7;
    const g = gaussian(m * l, 1);
    const { w, s, j } = jacobiSvd(g, m, l);
    expect(orthogonalityError(w, m, l)).toBeLessThan(1e-13);
    expect(orthogonalityError(j, l, l)).toBeLessThan(1e-13);
    for (let k = 1; k < l; k++) expect(s[k]).toBeLessThanOrEqual(s[k - 1]);
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < l; c++) {
        let v = 0;
        for (let k = 0; k < l; k++) v += w[i * l + k] * s[k] * j[c * l + k];
        worst = Math.max(worst, Math.abs(v - g[i * l + c]));
      }
    }
    expect(worst).toBeLessThan(1e-12 * s[0]); // f64 rotations: a few ulps of the largest singular value
  });

  it('Gram–Schmidt zeroes the columns of a rank-deficient matrix that add nothing', () => {
    const y = Float64Array.of(1, 2, 2, 0, 0, 3, 1, 2, 0); // 3 × 3, column 1 = 2 × column 0
    orthonormalizeColumns(y, 3, 3);
    expect([y[1], y[4], y[7]]).toEqual([0, 0, 0]);
    expect(orthogonalityError(Float64Array.of(y[0], y[2], y[3], y[5], y[6], y[8]), 3, 2)).toBeLessThan(1e-15);
  });

  it('matmulF32 sums in order in f32; matmulF64 agrees to f32 rounding', () => {
    const a = Float32Array.of(1, 2, 3, 4, 5, 6); // 2 × 3
    const b = Float32Array.of(1, 0, 0, 1, 1, 1); // 3 × 2
    expect(Array.from(matmulF32(a, b, 2, 3, 2))).toEqual([4, 5, 10, 11]);
    expect(Array.from(matmulF32(a, Float32Array.of(1, 1), 3, 2, 1, true))).toEqual([5, 7, 9]); // Aᵀ (3 × 2) · [1, 1]
    expect(Array.from(matmulF64(a, Float64Array.from(b), 2, 3, 2))).toEqual([4, 5, 10, 11]);
  });
});

describe('randomized SVD', () => {
  const rows = 120, cols = 90;

  it('recovers the singular values of an exactly rank-5 matrix', () => {
    const u = gaussian(rows * 5, 2), v = gaussian(cols * 5, 3);
    orthonormalizeColumns(u, rows, 5);
    orthonormalizeColumns(v, cols, 5);
    const s = [10, 5, 2, 1, 0.5];
    const a = Float32Array.from({ length: rows * cols }, (_, k) => {
      const i = Math.floor(k / cols), j = k % cols;
      let x = 0;
      for (let c = 0; c < 5; c++) x += u[i * 5 + c] * s[c] * v[j * 5 + c];
      return x;
    });
    const svd = randomizedSvd(a, rows, cols, { rank: 5, seed: 1 });
    // storing A in f32 perturbs it by E with ‖E‖₂ <= ‖E‖_F <= 2^-24 ‖A‖_F ≈ 7e-7; singular values move at most that much (Weyl)
    svd.s.forEach((x, c) => expect(Math.abs(x - s[c])).toBeLessThan(1e-6));
    expect(orthogonalityError(svd.u, rows, 5)).toBeLessThan(1e-12);
    expect(orthogonalityError(svd.v, cols, 5)).toBeLessThan(1e-12);
  });

  it('power iterations bring the top singular values of a flat spectrum closer to the exact ones', () => {
    const a = weights(rows, cols, 'student-t');
    const exact = randomizedSvd(a, rows, cols, { rank: cols }); // full rank: the range is captured exactly
    const relErr = (q: number) => {
      const s = randomizedSvd(a, rows, cols, { rank: 4, powerIterations: q, seed: 5 }).s;
      return Math.max(...Array.from(s, (x, c) => Math.abs(x - exact.s[c]) / exact.s[c]));
    };
    expect(relErr(2)).toBeLessThan(relErr(0));
    expect(relErr(2)).toBeLessThan(0.05);
  });

  it('is deterministic for a seed and refuses a rank beyond the matrix', () => {
    const a = weights(rows, cols, 'gaussian');
    expect(randomizedSvd(a, rows, cols, { rank: 3, seed: 9 }).s).toEqual(randomizedSvd(a, rows, cols, { rank: 3, seed: 9 }).s);
    expect(() => randomizedSvd(a, rows, cols, { rank: 91 })).toThrow(/from 1 to 90/);
  });
});

describe('low-rank + quantized residual', () => {
  const rows = 64, cols = 48;
  const w = weights(rows, cols, 'student-t', 2, 10);

  it('rank 0 is plain RTN, bit for bit; the factors cost r · (rows + cols) · 16 (or 32) bits', () => {
    const r0 = applyLowRank(w, rows, cols, { rank: 0 }, rtn(4));
    expect(bitsOf(r0.xhat)).toEqual(bitsOf(rtn(4)(w, rows, cols)));
    expect(r0.extraBits).toBe(0);
    expect(applyLowRank(w, rows, cols, { rank: 3 }, rtn(4)).extraBits).toBe(3 * (64 + 48) * 16);
    expect(lowRankBits(64, 48, 3, 'fp32')).toBe(3 * 112 * 32);
  });

  it('full rank with f32 factors reconstructs W to f32 accuracy', () => {
    const r = applyLowRank(w, rows, cols, { rank: cols, factorType: 'fp32' }, rtn(4));
    // Each entry of L = (US)Vᵀ sums r products of f32-rounded factors: |L − W| <= 2 · 2^-24 · ‖(US)_i‖ ‖V_j‖
    // (Cauchy–Schwarz) = 2^-23 · ‖W_i‖, since ‖(US)_i‖ = ‖W_i‖ and ‖V_j‖ <= 1; the INT4 residual
    // R = W − L is of that size, and Q(R) errs by at most |R|. So |W − x̂| <= 4 · 2^-23 · max row norm.
    let maxRowNorm = 0;
    for (let i = 0; i < rows; i++) maxRowNorm = Math.max(maxRowNorm, Math.hypot(...w.subarray(i * cols, (i + 1) * cols)));
    let worst = 0;
    for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(w[i] - r.xhat[i]));
    expect(worst).toBeLessThan(4 * 2 ** -23 * maxRowNorm);
    expect(r.info.energy).toBeCloseTo(1, 6);
  });

  it('LoRC (low rank of the quantization error) reduces the error of the same base format', () => {
    const lorc = applyLowRank(w, rows, cols, { rank: 8, order: 'lorc' }, rtn(3));
    expect(mse(w, lorc.xhat)).toBeLessThan(mse(w, rtn(3)(w, rows, cols)));
  });
});

describe('low-rank split beats RTN at matched bits on outlier channels', () => {
  // 4 of 512 input channels scaled 10× make a rank-4 component that the 16-bit factors absorb; the
  // residual quantizes like outlier-free Student-t. Rank 4 costs 4 · 1024 · 16 / 512² = 0.25 bpw,
  // exactly what halving the INT4 block (64 -> 32, fp16 scales) costs.
  it('INT4 blocks of 64 + rank 4 (4.5 bpw) beat INT4 blocks of 32 (4.5 bpw) by at least 10%', () => {
    const n = 512;
    const w = weights(n, n, 'student-t', 4, 10, 2);
    const r = applyLowRank(w, n, n, { rank: 4 }, rtn(4));
    expect(r.bitsPerWeight).toBeCloseTo(4.5, 12);
    const ratio = mse(w, r.xhat) / mse(w, rtn(4, 'block', 32)(w, n, n));
    expect(ratio).toBeLessThan(0.9);
    expect(ratio).toBeGreaterThan(0.5); // sane: the Student-t bulk is still INT4
  });
});
