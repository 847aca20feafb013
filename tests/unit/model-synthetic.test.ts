// tests (model layer): seeded synthetic weight matrices — determinism, shape, distribution shape, outlier columns.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outlierColumns, type SyntheticDistribution, type SyntheticParams, syntheticMatrix } from '../../src/model/synthetic';

const BASE: SyntheticParams = { rows: 256, cols: 256, distribution: 'gaussian', seed: 3, outlierChannels: 0, outlierScale: 1 };
const N = 256 * 256;

function stats(xs: Float32Array) {
  let s = 0, s2 = 0;
  for (const v of xs) { s += v; s2 += v * v; }
  const mean = s / xs.length;
  return { mean, std: Math.sqrt(s2 / xs.length - mean * mean) };
}

const count = (xs: Float32Array, pred: (v: number) => boolean) => xs.reduce((c, v) => c + (pred(v) ? 1 : 0), 0);

describe('syntheticMatrix basics', () => {
  it('is deterministic from its parameters and has rows * cols elements', () => {
    const p = { ...BASE, rows: 7, cols: 13, outlierChannels: 2, outlierScale: 5 };
    const a = syntheticMatrix(p);
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(91);
    expect(syntheticMatrix({ ...p })).toEqual(a);
  });
  it('changes with the seed and with the distribution', () => {
    const a = syntheticMatrix({ ...BASE, rows: 4, cols: 4 });
    expect(syntheticMatrix({ ...BASE, rows: 4, cols: 4, seed: 4 })).not.toEqual(a);
    expect(syntheticMatrix({ ...BASE, rows: 4, cols: 4, distribution: 'laplace' })).not.toEqual(a);
  });
});

describe('each distribution on a 256 x 256 draw (no outliers)', () => {
  // P(|X| <= sigma) for the unit-variance versions, computed by hand:
  //   gaussian  erf(1/sqrt2)                                    = 0.682689
  //   laplace   X = L/sqrt2, P(|L| <= sqrt2) = 1 - e^-sqrt2       = 1 - 0.243117 = 0.756883
  //   student-t X = T3/sqrt3, P(|T3| <= sqrt3): F(sqrt3) = 1/2 + (1/pi)(1/2 + pi/4) = 0.909155 -> 0.818310
  //   uniform   X = sqrt3 (2U - 1), P(|X| <= 1) = 1/sqrt3           = 0.577350
  // P(|X| > 3 sigma) expected counts out of 65536:
  //   gaussian 0.0026998 -> 176.9; laplace e^-3sqrt2 = 0.014370 -> 941.7;
  //   student-t 2(1 - F(3 sqrt3)), F = 1/2 + (1/pi)(3/10 + atan 3) = 0.9930758 -> 0.0138484 -> 907.6; uniform 0.
  const cases: { d: SyntheticDistribution; stdTol: number; within: number; tail: number; tailTol: number }[] = [
    // std tolerances: the relative std error of a sample std is sqrt((kurtosis - 1) / (4n)):
    // gaussian 0.28%, laplace 0.44%, uniform 0.17% at n = 65536; each tolerance is >= 5 of those.
    { d: 'gaussian', stdTol: 0.02, within: 0.682689, tail: 176.9, tailTol: 80 }, // tail: Poisson std 13.3, 6 std
    { d: 'laplace', stdTol: 0.03, within: 0.756883, tail: 941.7, tailTol: 185 }, // std 30.7, 6 std
    // Student-t (nu = 3) has infinite kurtosis: no CLT for the sample std. Over 50 seeds the ratio
    // std / 0.02 ranged 0.96..1.12, so allow 15%.
    { d: 'student-t', stdTol: 0.15, within: 0.81831, tail: 907.6, tailTol: 180 }, // std 30.1, 6 std
    { d: 'uniform', stdTol: 0.015, within: 0.57735, tail: 0, tailTol: 0 },
  ];
  for (const { d, stdTol, within, tail, tailTol } of cases) {
    it(`${d}: mean 0, std 0.02, and the shape of that distribution`, () => {
      const xs = syntheticMatrix({ ...BASE, distribution: d });
      const { mean, std } = stats(xs);
      expect(Math.abs(mean)).toBeLessThan(5e-4); // std error 0.02 * sqrt(Var ratio) / 256 <= 8e-5: ~6 std
      expect(Math.abs(std / 0.02 - 1)).toBeLessThan(stdTol);
      // Fraction within one nominal std (0.02) tells the four apart; binomial std error <= 0.002, allow 5.
      expect(Math.abs(count(xs, (v) => Math.abs(v) <= 0.02) / N - within)).toBeLessThan(0.01);
      expect(Math.abs(count(xs, (v) => Math.abs(v) > 0.06) - tail)).toBeLessThanOrEqual(tailTol);
    });
  }
  it('uniform is bounded by 0.02 * sqrt(3) and reaches close to it', () => {
    const xs = syntheticMatrix({ ...BASE, distribution: 'uniform' });
    const bound = 0.02 * Math.sqrt(3);
    const maxAbs = xs.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbs).toBeLessThanOrEqual(bound * (1 + 1e-7)); // f32 rounding of the product: <= 2^-24 relative
    expect(maxAbs).toBeGreaterThan(bound * 0.999); // 65536 uniforms leave a gap of ~1/65536 at the ends
  });
});

describe('outlierColumns', () => {
  it('are distinct, ascending, in range, and as many as asked (at most cols)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 256 }), fc.nat(), (cols, k, seed) => {
        const c = outlierColumns({ ...BASE, cols, outlierChannels: k, seed });
        expect(c.length).toBe(Math.min(k, cols));
        expect(c.every((v, i) => Number.isInteger(v) && v >= 0 && v < cols && (i === 0 || v > c[i - 1]))).toBe(true);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
  it('depend on seed and cols only (not rows or distribution), deterministically', () => {
    const p = { ...BASE, outlierChannels: 6 };
    const c = outlierColumns(p);
    expect(outlierColumns({ ...p, rows: 3, distribution: 'uniform', outlierScale: 50 })).toEqual(c);
    expect(outlierColumns({ ...p, seed: 4 })).not.toEqual(c);
  });
  it('none when outlierChannels is 0', () => {
    expect(outlierColumns(BASE)).toEqual([]);
  });
});

describe('outlier channels in the matrix', () => {
  const p: SyntheticParams = { ...BASE, outlierChannels: 4, outlierScale: 10 };
  const base = syntheticMatrix(BASE);
  const withOutliers = syntheticMatrix(p);
  const cols = outlierColumns(p);

  it('multiply exactly the chosen whole columns by outlierScale (f32 product), leaving the rest identical', () => {
    const isOutlier = new Set(cols);
    const expected = base.map((v, i) => (isOutlier.has(i % 256) ? Math.fround(v * 10) : v));
    expect(withOutliers).toEqual(expected);
  });
  it('those columns have ~outlierScale times the std of the others', () => {
    const pick = (outlier: boolean) => withOutliers.filter((_, i) => cols.includes(i % 256) === outlier);
    const ratio = stats(pick(true)).std / stats(pick(false)).std;
    // The 4 outlier columns pool 1024 Gaussian values: relative std error of their std
    // sqrt(2 / (4 * 1024)) = 2.2% (the other 64512 values add 0.3%); 10% is ~4.5 std.
    expect(Math.abs(ratio / 10 - 1)).toBeLessThan(0.1);
  });
});
