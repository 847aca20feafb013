// tests (quant layer): error sums, headline metrics and fixed-bin histograms — hand-checked and by property.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { f32 } from '../../src/lib/f32';
import {
  ABS_ERROR_BINS, absErrorHistogram, absErrorPercentile, binIndex, binsPerUnit, errorMetrics, errorSums, HISTOGRAM_BINS, histograms,
} from '../../src/quant/metrics';
import { createRng, normal } from '../../src/lib/rng';

/**
 * f32 values in [-max, max] with magnitudes below 1e-30 sent to 0. Ranges narrower than
 * bins / F32_MAX (~4e-37 for 128 bins) make binsPerUnit overflow to Infinity and binIndex(lo)
 * return NaN (0 * Infinity): a known defect reported to the lead, kept out of these properties.
 */
const valueArb = (max: number) => fc.float({ min: f32(-max), max: f32(max), noNaN: true }).map((v) => (Math.abs(v) < 1e-30 ? 0 : v));

const X = Float32Array.from([1, -2, 3, 0]);
const XHAT = Float32Array.from([1, -1.5, 2.5, 0.5]);

describe('errorSums / errorMetrics (hand-checked)', () => {
  // e = x - x̂ = [0, -0.5, 0.5, -0.5]; sum e^2 = 0.75; sum x^2 = 1 + 4 + 9 + 0 = 14.
  const s = errorSums(X, XHAT);
  it('sums squared error and signal, tracks max |e| and the shared value range', () => {
    // x̂² = [1, 2.25, 6.25, 0.25] -> 9.75; e(x + x̂) = [0, -0.5·-3.5, 0.5·5.5, -0.5·0.5] -> 4.25 = 14 - 9.75;
    // mean 0.5, x - mean = [0.5, -2.5, 2.5, -0.5]: squares sum to 13, fourth powers to 78.25.
    // |e| = [0, 0.5, 0.5, 0.5] on 4096 bins of [0, 0.5]: ranks ceil(3.96) = ceil(3.996) = 4 land in the last bin -> max.
    expect(s).toEqual({
      n: 4, sumSqErr: 0.75, sumSqSignal: 14, sumSqDequant: 9.75, sumSqDiff: 4.25, sumSignal: 2, sumCentred2: 13, sumCentred4: 78.25,
      maxAbsErr: 0.5, absErrP99: 0.5, absErrP999: 0.5, valueMin: -2, valueMax: 3,
    });
  });
  it('RMSE, cosine, relative Frobenius error and (Pearson) kurtosis by hand', () => {
    const m = errorMetrics(s);
    expect(m.rmse).toBe(Math.sqrt(0.1875)); // 0.4330127
    // cos = Σ x x̂ / (‖x‖ ‖x̂‖) = 11.5 / sqrt(14 · 9.75) = 11.5 / 11.6833214 = 0.9843091 (7 decimals)
    expect(Math.abs(m.cosine - 0.9843091)).toBeLessThan(1e-7);
    expect(Math.abs(m.oneMinusCosine - 0.0156909)).toBeLessThan(1e-7);
    expect(m.cosine + m.oneMinusCosine).toBe(1);
    // sqrt(0.75 / 14) = 0.2314550 (hand, 7 digits)
    expect(Math.abs(m.relFrobenius - 0.2314550)).toBeLessThan(1e-7);
    // n Σd⁴ / (Σd²)² = 4 · 78.25 / 169 = 313 / 169 (non-excess: a Gaussian gives 3)
    expect(m.kurtosis).toBeCloseTo(313 / 169, 14);
    expect([m.p99AbsErr, m.p999AbsErr]).toEqual([0.5, 0.5]);
  });
  it('1 − cos keeps its digits near cos = 1 (vs the direct formula in f64)', () => {
    const rand = createRng(3);
    const x = Float32Array.from({ length: 4096 }, () => normal(rand));
    const xhat = x.map((v) => v + 1e-4 * normal(rand)); // SQNR ~80 dB, 1 - cos ~ 5e-9
    let sxy = 0, sxx = 0, syy = 0;
    for (let i = 0; i < x.length; i++) { sxy += x[i] * xhat[i]; sxx += x[i] ** 2; syy += xhat[i] ** 2; }
    const direct = 1 - sxy / Math.sqrt(sxx * syy); // f64: absolute error ~1e-16, relative ~1e-7 here
    const m = errorMetrics(errorSums(x, xhat));
    expect(Math.abs(m.oneMinusCosine / direct - 1)).toBeLessThan(1e-5);
    expect(m.oneMinusCosine).toBeGreaterThan(1e-9);
  });
  it('kurtosis of large samples: Gaussian ~3, uniform ~1.8; invariant to a shift of the input', () => {
    const rand = createRng(11);
    const n = 1 << 16;
    const g = Float32Array.from({ length: n }, () => normal(rand));
    const u = Float32Array.from({ length: n }, () => rand() * 2 - 1);
    // std error of the sample kurtosis ~ sqrt(24 / n) = 0.019 for a Gaussian: 0.1 is 5 sigma.
    expect(Math.abs(errorMetrics(errorSums(g, g)).kurtosis - 3)).toBeLessThan(0.1);
    expect(Math.abs(errorMetrics(errorSums(u, u)).kurtosis - 1.8)).toBeLessThan(0.05);
    // Shifted by 100 sigma: the centred second pass gives the same kurtosis (raw moments would not).
    const shifted = g.map((v) => 100 + v);
    const k0 = errorMetrics(errorSums(g, g)).kurtosis, k1 = errorMetrics(errorSums(shifted, shifted)).kurtosis;
    expect(Math.abs(k1 / k0 - 1)).toBeLessThan(1e-3); // f32 rounding of 100 + v moves each value by <= 2^-17
  });
  it('MSE = 0.75 / 4, SQNR = 10 log10(14 / 0.75) = 10 log10(56/3) dB, max |e| = 0.5', () => {
    const m = errorMetrics(s);
    expect(m.mse).toBe(0.1875);
    expect(m.maxAbsErr).toBe(0.5);
    // log10(56) - log10(3) = 1.748188 - 0.477121 = 1.271067 -> 12.71067 dB (hand, 6 digits of the logs).
    expect(Math.abs(m.sqnrDb - 12.71067)).toBeLessThan(1e-4); // 1e-4 dB covers the 6-digit hand logs
  });
  it('zero error gives SQNR = +Infinity and MSE 0', () => {
    const m = errorMetrics(errorSums(X, X));
    expect(m).toMatchObject({ mse: 0, rmse: 0, sqnrDb: Infinity, maxAbsErr: 0, p99AbsErr: 0, p999AbsErr: 0, relFrobenius: 0, oneMinusCosine: 0, cosine: 1 });
  });
  it('a quantizer that zeros everything has SQNR 0 dB (noise power = signal power)', () => {
    const m = errorMetrics(errorSums(X, new Float32Array(4)));
    expect(m.sqnrDb).toBe(0);
    expect(m.relFrobenius).toBe(1);
    expect(m.cosine).toBeNaN(); // x̂ = 0 has no direction
  });
  it('a constant tensor has no kurtosis; an all-zero one has relative error 0 when exact, ∞ otherwise', () => {
    const c = Float32Array.from([0.25, 0.25, 0.25]);
    expect(errorMetrics(errorSums(c, c)).kurtosis).toBeNaN();
    const z = new Float32Array(3);
    expect(errorMetrics(errorSums(z, z)).relFrobenius).toBe(0);
    expect(errorMetrics(errorSums(z, c)).relFrobenius).toBe(Infinity);
  });
  it('the value range covers x̂ outside x too', () => {
    const r = errorSums(Float32Array.from([0, 1]), Float32Array.from([-0.25, 1.5]));
    expect([r.valueMin, r.valueMax]).toEqual([-0.25, 1.5]);
  });
  it('rounds each error to f32 like the shader does', () => {
    // 1e8 - 1 = 99999999 is not an f32 (spacing at 2^26..2^27 is 8); it rounds to 1e8.
    expect(errorSums(Float32Array.from([1e8]), Float32Array.from([1])).maxAbsErr).toBe(1e8);
  });
});

describe('binsPerUnit', () => {
  it('is bins / (hi - lo) correctly rounded to f32', () => {
    expect(binsPerUnit(-1, 1, 128)).toBe(64);
    // 7/3 = 2.333...; f32 neighbours in [2, 4) are k / 2^22, 7/3 * 2^22 = 9786709.33 -> 9786709 / 2^22.
    // (7 * f32(1/3) would give 9786710 / 2^22: a reciprocal-multiply is one ulp off here.)
    expect(binsPerUnit(0, 3, 7)).toBe(9786709 / 2 ** 22);
    // f32(0.1) = 0.100000001490116; 10 / that = 99.9999985..., f32 spacing in [64, 128) is 2^-17 -> 100.
    expect(binsPerUnit(0, f32(0.1), 10)).toBe(100);
  });
  it('is 0 for an empty or inverted range', () => {
    expect(binsPerUnit(1, 1, 128)).toBe(0);
    expect(binsPerUnit(2, 1, 128)).toBe(0);
  });
});

describe('binIndex edge cases', () => {
  it('v = lo goes to bin 0, v = hi to the last bin, outside values clamp', () => {
    const k = binsPerUnit(0, 1, 128); // 128
    expect(binIndex(0, 0, k, 128)).toBe(0);
    expect(binIndex(1, 0, k, 128)).toBe(127); // (1 - 0) * 128 = 128 -> clamped to 127
    expect(binIndex(0.5, 0, k, 128)).toBe(64);
    expect(binIndex(0.49, 0, k, 128)).toBe(62); // 0.49 * 128 = 62.72
    expect(binIndex(-5, 0, k, 128)).toBe(0);
    expect(binIndex(5, 0, k, 128)).toBe(127);
  });
  it('an empty range (k = 0) puts everything in bin 0', () => {
    expect(binIndex(3, 3, 0, 16)).toBe(0);
    expect(binIndex(1e6, 3, 0, 16)).toBe(0);
  });
  it('v = lo -> bin 0 and v = hi -> last bin for any f32 range; bins are monotone in v', () => {
    fc.assert(
      fc.property(valueArb(1e6), valueArb(1e6), fc.integer({ min: 1, max: 512 }), fc.array(valueArb(1e6)), (a, b, bins, vs) => {
        const lo = Math.min(a, b), hi = Math.max(a, b);
        fc.pre(f32(hi - lo) > 0);
        const k = binsPerUnit(lo, hi, bins);
        expect(binIndex(lo, lo, k, bins)).toBe(0);
        expect(binIndex(hi, lo, k, bins)).toBe(bins - 1);
        // Monotone in v, and always a valid bin (every step is a monotone f32 operation).
        const idx = vs.sort((p, q) => p - q).map((v) => binIndex(v, lo, k, bins));
        expect(idx.every((j, i) => Number.isInteger(j) && j >= 0 && j < bins && (i === 0 || j >= idx[i - 1]))).toBe(true);
      }),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe('histograms', () => {
  it('bins the hand example on 4 bins', () => {
    // Values on [-2, 3]: k = f32(4/5) = 0.800000011920929. original x = [1, -2, 3, 0]:
    // 1 -> 3k = 2.4 -> 2; -2 -> 0; 3 -> 5k = 4.0000000596 -> f32 4 -> clamped 3; 0 -> 2k = 1.6 -> 1.
    // x̂ = [1, -1.5, 2.5, 0.5]: 1 -> 2; -1.5 -> 0.5k = 0.4 -> 0; 2.5 -> 4.5k = 3.6 -> 3;
    // 0.5 -> 2.5k = 2.0000000298 -> f32 2 -> 2.  Error e = [0, -0.5, 0.5, -0.5] on [-0.5, 0.5], k = 4:
    // 0 -> 2; -0.5 -> 0; 0.5 -> 4 -> clamped 3; -0.5 -> 0.
    const h = histograms(X, XHAT, errorSums(X, XHAT), 4);
    expect(h).toEqual({
      bins: 4, valueLo: -2, valueHi: 3, original: [1, 1, 1, 1], dequantized: [1, 0, 2, 1],
      errorLo: -0.5, errorHi: 0.5, error: [2, 0, 1, 1],
    });
  });
  it('zero error puts every error count in bin 0 (empty error range)', () => {
    const h = histograms(X, X, errorSums(X, X), 8);
    expect(h.error).toEqual([4, 0, 0, 0, 0, 0, 0, 0]);
    expect(h.original).toEqual(h.dequantized);
  });
  it('defaults to HISTOGRAM_BINS = 128 bins', () => {
    const h = histograms(X, XHAT, errorSums(X, XHAT));
    expect(HISTOGRAM_BINS).toBe(128);
    expect([h.original.length, h.dequantized.length, h.error.length]).toEqual([128, 128, 128]);
  });
  it('each of the three histograms counts every element exactly once', () => {
    const f = valueArb(1e4);
    fc.assert(
      fc.property(fc.array(fc.tuple(f, f), { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 200 }), (pairs, bins) => {
        const x = Float32Array.from(pairs, (p) => p[0]);
        const xhat = Float32Array.from(pairs, (p) => p[1]);
        const h = histograms(x, xhat, errorSums(x, xhat), bins);
        const sum = (a: number[]) => a.reduce((s, c) => s + c, 0);
        expect([sum(h.original), sum(h.dequantized), sum(h.error)]).toEqual([x.length, x.length, x.length]);
        expect([h.original.length, h.dequantized.length, h.error.length]).toEqual([bins, bins, bins]);
      }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('|error| percentiles (fine histogram upper bounds)', () => {
  it('hand example: |e| = 0, 1, ..., 99', () => {
    const x = Float32Array.from({ length: 100 }, (_, i) => i);
    const s = errorSums(x, new Float32Array(100));
    // rank ceil(100 · 0.99) = 99 -> the 99th smallest |e| is 98; k = f32(4096 / 99), 98 k = 4054.6 -> bin 4054,
    // upper edge 4055 / k = 98.0090 (one bin is 99 / 4096 = 0.0242 wide).
    expect(s.absErrP99).toBe(4055 / binsPerUnit(0, 99, ABS_ERROR_BINS));
    expect(s.absErrP99).toBeGreaterThan(98);
    expect(s.absErrP99).toBeLessThan(98 + 99 / 4096);
    // rank ceil(99.9) = 100 -> 99 = max, in the last bin: reported as max itself.
    expect(s.absErrP999).toBe(99);
  });
  it('nearest rank: exactly n · p is the rank when it is an integer', () => {
    // 1000 errors, 990 of them 0 and 10 of them 1: rank 990 is a 0 -> bin 0, edge 1 / 4096.
    const counts = [990, ...new Array<number>(4094).fill(0), 10];
    expect(absErrorPercentile(counts, 1, 99, 100)).toBe(1 / 4096);
    expect(absErrorPercentile(counts, 1, 999, 1000)).toBe(1);
  });
  it('brackets the true order statistic: t <= p <= t + max / 4096 (up to f32 rounding of k), p <= max', () => {
    const f = valueArb(1e3);
    fc.assert(
      fc.property(fc.array(fc.tuple(f, f), { minLength: 1, maxLength: 2000 }), (pairs) => {
        const x = Float32Array.from(pairs, (p) => p[0]);
        const xhat = Float32Array.from(pairs, (p) => p[1]);
        const s = errorSums(x, xhat);
        const sorted = Array.from(x, (v, i) => Math.abs(f32(v - xhat[i]))).sort((a, b) => a - b);
        for (const [got, num, den] of [[s.absErrP99, 99, 100], [s.absErrP999, 999, 1000]]) {
          const t = sorted[Math.ceil((x.length * num) / den) - 1];
          expect(got).toBeGreaterThanOrEqual(t);
          expect(got).toBeLessThanOrEqual(s.maxAbsErr);
          // one bin width; 1e-6 relative covers k = f32(4096 / max) being rounded (2^-24) and the f32 products
          expect(got - t).toBeLessThanOrEqual((s.maxAbsErr / ABS_ERROR_BINS) * (1 + 1e-6));
        }
      }),
      { seed: 42, numRuns: 300 },
    );
  });
  it('the fine histogram counts every element once, with the shader\'s bin arithmetic', () => {
    const x = Float32Array.from([0.1, -0.3, 0.7, 0]);
    const xhat = Float32Array.from([0, 0, 0, 0]);
    const counts = absErrorHistogram(x, xhat, f32(0.7));
    expect(counts.reduce((a, c) => a + c, 0)).toBe(4);
    const k = binsPerUnit(0, f32(0.7), ABS_ERROR_BINS);
    for (const v of x) expect(counts[binIndex(Math.abs(v), 0, k, ABS_ERROR_BINS)]).toBeGreaterThan(0);
    expect(counts[ABS_ERROR_BINS - 1]).toBe(1);
    expect(counts[0]).toBe(1);
  });
});

describe('the fast loops keep the plain definitions', () => {
  it('binIndex is min(bins - 1, max(0, floor(f32(f32(v - lo) · k)))), NaN included, for any f32 inputs', () => {
    const definition = (v: number, lo: number, k: number, bins: number) => Math.min(bins - 1, Math.max(0, Math.floor(f32(f32(v - lo) * k))));
    const any = fc.float(); // NaN, ±Infinity, ±0 and subnormals included
    fc.assert(fc.property(any, any, any, fc.integer({ min: 1, max: 5000 }), (v, lo, k, bins) => {
      expect(Object.is(binIndex(v, lo, k, bins), definition(v, lo, k, bins))).toBe(true);
    }), { numRuns: 5000 });
  });
  it('errorSums extremes follow Math.min / Math.max: signed zeros and NaN', () => {
    const a = errorSums(Float32Array.from([0]), Float32Array.from([-0]));
    expect(Object.is(a.valueMin, -0) && Object.is(a.valueMax, 0)).toBe(true);
    const b = errorSums(Float32Array.from([-0, -0]), Float32Array.from([-0, -0]));
    expect(Object.is(b.valueMin, -0) && Object.is(b.valueMax, -0)).toBe(true);
    const c = errorSums(Float32Array.from([1, NaN, 2]), Float32Array.from([1, 1, 2]));
    expect([c.valueMin, c.valueMax, c.maxAbsErr]).toEqual([NaN, NaN, NaN]);
  });
  it('errorSums counts |e| as absErrorHistogram does (its percentiles come from those counts)', () => {
    const rand = createRng(31);
    const x = Float32Array.from({ length: 5000 }, () => normal(rand));
    const xhat = x.map((v) => Math.round(v * 8) / 8);
    const s = errorSums(x, xhat);
    const counts = absErrorHistogram(x, xhat, s.maxAbsErr);
    expect(counts.reduce((t, c) => t + c, 0)).toBe(5000);
    expect(s.absErrP99).toBe(absErrorPercentile(counts, s.maxAbsErr, 99, 100));
    expect(s.absErrP999).toBe(absErrorPercentile(counts, s.maxAbsErr, 999, 1000));
  });
});
