// tests (quant layer): the counter hash and seeded stochastic rounding — goldens, determinism, unbiasedness.
import { describe, expect, it } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { hash2, lowbias32, uniform01 } from '../../src/lib/hash';
import { createRng } from '../../src/lib/rng';
import { groupLayout, groupOf } from '../../src/quant/groups';
import { dequantizeInt, type IntFormatParams, quantizeInt } from '../../src/quant/int';
import { unpackCodes } from '../../src/quant/pack';

/** lowbias32 in BigInt arithmetic: an independent check of the Math.imul / >>> 0 version. */
function lowbias32Big(x: number): number {
  const M = (1n << 32n) - 1n;
  let h = BigInt(x >>> 0);
  h ^= h >> 16n;
  h = (h * 0x7feb352dn) & M;
  h ^= h >> 15n;
  h = (h * 0x846ca68bn) & M;
  h ^= h >> 16n;
  return Number(h);
}

describe('lowbias32 / hash2 / uniform01', () => {
  it('matches a BigInt implementation (goldens and 10 000 random inputs)', () => {
    expect(lowbias32(0)).toBe(0); // 0 is a fixed point of every xorshift-multiply round
    expect(lowbias32(1)).toBe(1753845952);
    expect(lowbias32(0xdeadbeef)).toBe(3861431939);
    expect(lowbias32(42)).toBe(388445122);
    const rand = createRng(1);
    for (let k = 0; k < 10000; k++) {
      const v = Math.floor(rand() * 2 ** 32);
      expect(lowbias32(v)).toBe(lowbias32Big(v));
    }
  });
  it('hash2(seed, i) = lowbias32(i ^ lowbias32(seed)); uniform01 = (hash >>> 8) * 2^-24', () => {
    // lowbias32(42) = 388445122; 0 ^ that -> lowbias32(388445122) = 1612446537;
    // 1612446537 >>> 8 = 6298619; * 2^-24 = 0.3754269480705261.
    expect(hash2(42, 0)).toBe(lowbias32Big(0 ^ 388445122));
    expect(hash2(42, 0)).toBe(1612446537);
    expect(uniform01(42, 0)).toBe(6298619 * 2 ** -24);
    expect(uniform01(42, 0)).toBe(0.3754269480705261);
    expect([1, 2, 3, 4].map((i) => hash2(42, i))).toEqual([2416744779, 3095123406, 2851300755, 1406649862]);
  });
  it('uniform01 is a multiple of 2^-24 in [0, 1), exact in f32, with mean 1/2 and variance 1/12', () => {
    const n = 1 << 16;
    let sum = 0, sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = uniform01(7, i);
      expect(u >= 0 && u < 1 && f32(u) === u && Number.isInteger(u * 2 ** 24)).toBe(true);
      sum += u; sumSq += u * u;
    }
    // Std error of the mean of U(0, 1): sqrt(1/12 / n) = 0.00113; 5 sigma = 0.0057.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.0057);
    // Std error of mean(u^2): sqrt((1/5 - 1/9) / n) = 0.00116; 5 sigma = 0.0059.
    expect(Math.abs(sumSq / n - 1 / 3)).toBeLessThan(0.0059);
  });
});

describe('stochastic rounding (hand-checked)', () => {
  it('sym INT2, seed 42, on [-1, 0.3, 1, 0.7, -0.3]: code = floor(x / s + u_i) + 2', () => {
    // scale 1 / 1 = 1, inv 1. u_i = uniform01(42, i) = 0.3754, 0.5627, 0.7206, 0.6639, 0.3275.
    // -1 + 0.3754 -> floor -1 -> code 1; 0.3 + 0.5627 = 0.8627 -> 0 -> 2; 1 + 0.7206 -> 1 -> 3;
    // 0.7 + 0.6639 = 1.3639 -> 1 -> 3 (nearest would also give 1); -0.3 + 0.3275 = 0.0275 -> 0 -> 2.
    const x = Float32Array.from([-1, 0.3, 1, 0.7, -0.3]);
    const q = quantizeInt(x, groupLayout(1, 5, 'tensor'), { bits: 2, mode: 'sym', rounding: 'stochastic', seed: 42 });
    expect(q.scales[0]).toBe(1);
    expect(Array.from(unpackCodes(q.words, 2, 5))).toEqual([1, 2, 3, 3, 2]);
    expect(Array.from(dequantizeInt(q))).toEqual([-1, 0, 1, 1, 0]);
  });
  it('asym-float adds the zero point before the random offset: floor(x / s + zero + u)', () => {
    // [-0.25, 1.25, 0.5] INT2: scale 0.5, zero 0.5 (see the modes test). x/s + zero = [0, 3, 1.5];
    // + u (seed 42) = [0.3754, 3.5627, 2.2206] -> floor [0, 3, 2]. The ends are on the grid, so
    // any u keeps them there.
    const x = Float32Array.from([-0.25, 1.25, 0.5]);
    const q = quantizeInt(x, groupLayout(1, 3, 'tensor'), { bits: 2, mode: 'asym-float', rounding: 'stochastic', seed: 42 });
    expect(Array.from(unpackCodes(q.words, 2, 3))).toEqual([0, 3, 2]);
  });
});

describe('stochastic rounding is deterministic for a seed', () => {
  const rand = createRng(3);
  const x = Float32Array.from({ length: 40 * 33 }, () => f32(rand() * 2 - 1));
  const layout = groupLayout(40, 33, 'block', 16);
  const f = (seed: number): IntFormatParams => ({ bits: 3, mode: 'asym', rounding: 'stochastic', seed });
  it('same seed, same codes; another seed, other codes; the element index (not the group) seeds u', () => {
    expect(quantizeInt(x, layout, f(9)).words).toEqual(quantizeInt(x, layout, f(9)).words);
    expect(quantizeInt(x, layout, f(9)).words).not.toEqual(quantizeInt(x, layout, f(10)).words);
  });
  it('each code is the floor or the ceiling of x / s (never further), and nearest rounding is one of them', () => {
    const q = quantizeInt(x, layout, f(11));
    const near = quantizeInt(x, layout, { bits: 3, mode: 'asym' });
    const xhat = dequantizeInt(q), xnear = dequantizeInt(near);
    for (let i = 0; i < x.length; i++) {
      const s = q.scales[groupOf(layout, i)];
      expect(Math.abs(xhat[i] - x[i])).toBeLessThan(s * (1 + 2 ** -18));
      expect(Math.abs(xhat[i] - xnear[i]) <= s * (1 + 2 ** -18)).toBe(true);
    }
  });
});

describe('stochastic rounding is unbiased', () => {
  it('values 0.3 of a step above a level: nearest is off by -0.3 steps on average, stochastic by ~0', () => {
    // sym INT4 with scale exactly 1 (the tensor holds ±7): x = k + 0.3 for random k in -7..5.
    // Nearest rounds every x down: mean error -0.3 (f32(k + 0.3) is within 1e-6 of k + 0.3).
    // Stochastic rounds up with probability P(u >= 0.7) = 0.3 (up to the 2^-24 grid of u), so the
    // mean error is 0 with std sqrt(0.3 * 0.7 / n) = 0.00179 for n = 2^16; 5 sigma = 0.009.
    const n = 1 << 16;
    const rand = createRng(12);
    const x = Float32Array.from({ length: n }, (_, i) => (i === 0 ? 7 : i === 1 ? -7 : f32(Math.floor(rand() * 13) - 7 + 0.3)));
    const layout = groupLayout(256, 256, 'tensor');
    const meanErr = (format: IntFormatParams) => {
      const q = quantizeInt(x, layout, format);
      expect(q.scales[0]).toBe(1);
      const xhat = dequantizeInt(q);
      let sum = 0;
      for (let i = 2; i < n; i++) sum += xhat[i] - x[i];
      return sum / (n - 2);
    };
    expect(Math.abs(meanErr({ bits: 4 }) + 0.3)).toBeLessThan(1e-5);
    expect(Math.abs(meanErr({ bits: 4, rounding: 'stochastic', seed: 1 }))).toBeLessThan(0.009);
    expect(Math.abs(meanErr({ bits: 4, rounding: 'stochastic', seed: 2 }))).toBeLessThan(0.009);
  });
  it('on random data in every mode: |mean(x̂ - x)| below 5 standard errors', () => {
    // Conditional on x, e = x̂ - x takes the values s(1 - f) and -s f with probabilities f, 1 - f
    // (f the fractional part of x / s): E[e] = 0 and Var(e) = s^2 f (1 - f) <= s^2 / 4. The mean of
    // n independent errors has std <= sqrt(sum s_i^2 / 4) / n; 5 of those bound it. Bias from the
    // 2^-24 grid of u and the f32 rounding of t + u is below 2^-20 s (|t| <= 2^4): negligible.
    const rand = createRng(21);
    const rows = 128, cols = 512, n = rows * cols;
    const x = Float32Array.from({ length: n }, () => f32((rand() * 2 - 1) * (1 + 3 * rand())));
    const layout = groupLayout(rows, cols, 'block', 32);
    for (const mode of ['sym', 'sym-full', 'asym', 'asym-float'] as const) {
      const q = quantizeInt(x, layout, { bits: 4, mode, rounding: 'stochastic', seed: 99 });
      const xhat = dequantizeInt(q);
      let sum = 0, varBound = 0;
      let used = 0;
      for (let i = 0; i < n; i++) {
        const s = q.scales[groupOf(layout, i)];
        // sym-full's top level is half a step below absmax: values above it saturate (a bias of
        // the clamp, not of the rounding), so they are left out; the other modes cover their range.
        if (mode === 'sym-full' && x[i] > 7 * s) continue;
        sum += xhat[i] - x[i];
        varBound += (s * s) / 4;
        used++;
      }
      expect(used).toBeGreaterThan(n * 0.95);
      expect(Math.abs(sum), mode).toBeLessThan(5 * Math.sqrt(varBound));
    }
  });
});
