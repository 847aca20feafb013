// tests (quant layer): log2 / log√2 levels (src/quant/nonuniform/log2.ts) and NUPES power companding (nupes.ts).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { createRng, normal, studentT } from '../../src/lib/rng';
import { absMaxOf, groupIndices, groupLayout } from '../../src/quant/groups';
import { clipSearchFactor, dequantizeInt, quantizeInt } from '../../src/quant/int';
import { unpackCodes } from '../../src/quant/pack';
import {
  type LogFormat, dequantizeLog, logBitsPerWeight, logMagnitudes, logThresholds, quantizeLog,
} from '../../src/quant/nonuniform/log2';
import { NUPES_GRID, dequantizeNupes, groupErrorSums, meanOfGroupErrors, nupesBitsPerWeight, quantizeNupes } from '../../src/quant/nonuniform/nupes';
import { powF32 } from '../../src/quant/nonuniform/powF32';

const mse = (x: Float32Array, d: Float32Array): number => x.reduce((s, v, i) => s + (v - d[i]) ** 2, 0) / x.length;
const LOG3: LogFormat = { bits: 3, base: '2', rounding: 'log' };

describe('log2 quantizer (RepQ-ViT)', () => {
  test('tables: 3 bits -> magnitudes 0, 1, 1/2, 1/4; thresholds 2^-2.5, 2^-1.5, 2^-0.5 (log) or midpoints', () => {
    expect(logMagnitudes(LOG3)).toEqual([0, 1, 0.5, 0.25]);
    expect(logThresholds(LOG3)).toEqual([2 ** -2.5, 2 ** -1.5, 2 ** -0.5].map(f32));
    expect(logThresholds({ ...LOG3, rounding: 'linear' })).toEqual([0.125, 0.375, 0.75]);
    expect(logMagnitudes({ bits: 3, base: 'sqrt2', rounding: 'log' })).toEqual([0, 1, f32(Math.SQRT1_2), 0.5]);
    expect(logMagnitudes({ ...LOG3, bits: 2 })).toEqual([0, 1]); // 2 bits: ternary {-s, 0, s}
  });
  test('golden group, log rounding', () => {
    // absmax 4: u = [1, .75, .375, .35, .15, .125, .025, 0]. .75 > 2^-0.5 = .7071 -> 1; .375 > 2^-1.5 = .3536
    // -> 1/2; .35 -> 1/4; .15 < 2^-2.5 = .1768 -> 0 (so -0.5 gets code 0, no sign bit).
    const x = Float32Array.from([4, -3, 1.5, 1.4, 0.6, -0.5, 0.1, 0]);
    const q = quantizeLog(x, groupLayout(1, 8, 'tensor'), LOG3);
    expect([...unpackCodes(q.words, 3, 8)]).toEqual([1, 5, 2, 3, 0, 0, 0, 0]);
    expect([...dequantizeLog(q)]).toEqual([4, -4, 2, 1, 0, 0, 0, 0]);
  });
  test('golden group, linear rounding: ties (.75, .375, .125) take the smaller magnitude', () => {
    const x = Float32Array.from([4, -3, 1.5, 1.4, 0.6, -0.5, 0.1, 0]);
    const q = quantizeLog(x, groupLayout(1, 8, 'tensor'), { ...LOG3, rounding: 'linear' });
    expect([...unpackCodes(q.words, 3, 8)]).toEqual([1, 6, 3, 3, 3, 0, 0, 0]);
    expect([...dequantizeLog(q)]).toEqual([4, -2, 1, 1, 1, 0, 0, 0]);
  });
  test('bits per weight', () => {
    expect(logBitsPerWeight(4, 'fp16', 4096, 32)).toBe(4 + (32 * 16) / 4096);
  });
  test('properties: every level decodes to itself, codes in range, monotone', () => {
    const fmt = fc.record({ bits: fc.integer({ min: 2, max: 8 }), base: fc.constantFrom<'2' | 'sqrt2'>('2', 'sqrt2'),
      rounding: fc.constantFrom<'log' | 'linear'>('log', 'linear') });
    fc.assert(fc.property(fmt, fc.float({ min: f32(0.01), max: f32(100), noNaN: true }), fc.nat(), (f, scale, seed) => {
      const levels = logMagnitudes(f).map((m) => f32(m * scale));
      const x = Float32Array.from([scale, ...levels, ...levels.map((v) => -v)]);
      const q = quantizeLog(x, groupLayout(1, x.length, 'tensor'), f);
      expect([...dequantizeLog(q)]).toEqual([...x].map((v) => v + 0)); // -0 decodes as 0
      const r = createRng(seed);
      const y = Float32Array.from({ length: 64 }, () => f32(normal(r))).sort();
      const d = dequantizeLog(quantizeLog(y, groupLayout(1, 64, 'tensor'), f));
      expect(unpackCodes(quantizeLog(y, groupLayout(1, 64, 'tensor'), f).words, f.bits, 64).every((c) => c < 1 << f.bits)).toBe(true);
      for (let i = 1; i < 64; i++) expect(d[i]).toBeGreaterThanOrEqual(d[i - 1]);
    }), { seed: 2023, numRuns: 150 });
  });
});

describe('NUPES power companding', () => {
  test('golden: a = 0.5, 3 bits: y = [2, 1, -0.5, 0], scale 2/3, codes 3, 2 (tie 1.5 -> even), -1 (tie), 0', () => {
    const x = Float32Array.from([4, 1, -0.25, 0]);
    const q = quantizeNupes(x, groupLayout(1, 4, 'tensor'), 3, 0.5);
    expect([...unpackCodes(q.inner.words, 3, 4)].map((c) => c - 4)).toEqual([3, 2, -1, 0]);
    const d = dequantizeNupes(q); // (q · 2/3)^2: 4, 16/9, -4/9, 0
    expect(d[0]).toBe(4);
    expect(d[1]).toBeCloseTo(16 / 9, 6);
    expect(d[2]).toBeCloseTo(-4 / 9, 6);
    expect(d[3]).toBe(0);
    expect(q.search).toEqual([]);
  });
  test('a = 1 is plain symmetric INT, bit for bit', () => {
    const r = createRng(5);
    const x = Float32Array.from({ length: 256 }, () => f32(normal(r)));
    const l = groupLayout(4, 64, 'row');
    const q = quantizeNupes(x, l, 4, 1);
    expect(q.inner.words).toEqual(quantizeInt(x, l, { bits: 4, symmetric: true }).words);
    expect(dequantizeNupes(q)).toEqual(dequantizeInt(q.inner));
  });
  test('grid: 0.25 .. 1.5 step 0.05 with 1 in it; bits per weight adds the fp32 exponent', () => {
    expect(NUPES_GRID.length).toBe(26);
    expect(NUPES_GRID[0]).toBe(0.25);
    expect(NUPES_GRID.at(-1)).toBe(1.5);
    expect(NUPES_GRID).toContain(1);
    expect(nupesBitsPerWeight(4, 4096, 32)).toBe(4 + (32 * 32 + 32) / 4096);
  });
  test('the searched exponent never loses to a = 1 (up to the fixed-point unit) and wins on heavy tails', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 6 }), fc.nat(), (bits, seed) => {
      const r = createRng(seed);
      const x = Float32Array.from({ length: 512 }, () => f32(studentT(r, 3)));
      const l = groupLayout(4, 128, 'row');
      const q = quantizeNupes(x, l, bits);
      const plain = mse(x, dequantizeInt(quantizeInt(x, l, { bits, symmetric: true })));
      const searched = mse(x, dequantizeNupes(q));
      // The search compares exact fixed-point sums: each element's squared error truncated to a
      // multiple of its group's unit 1/f² (clipSearchFactor), so its MSE is below the true one by
      // less than the largest unit.
      const unit = Math.max(...Array.from({ length: l.groupCount }, (_, g) => clipSearchFactor(absMaxOf(x, groupIndices(l, g))) ** -2));
      expect(searched).toBeLessThanOrEqual(plain + unit);
      const reported = q.search.find((s) => s.a === q.a)?.mse ?? NaN;
      expect(reported).toBeLessThanOrEqual(searched);
      expect(searched - reported).toBeLessThan(unit);
      if (bits === 3 || bits === 4) expect(searched).toBeLessThan(plain); // at 2 bits one outlier can zero all the rest for every a
    }), { seed: 11, numRuns: 20 });
  });
  test('powF32 is within 8·2^-24 relative of x^p over the f32 range (exponents 0.25..4), exact on powers of two and for p = 1', () => {
    const r = createRng(3);
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      const x = f32(2 ** ((r() * 2 - 1) * 120) * (1 + r()));
      const p = f32(0.25 + 3.75 * r());
      const want = x ** p;
      if (!(want > 1e-37 && want < 1e37)) continue;
      worst = Math.max(worst, Math.abs(powF32(x, p) / want - 1));
    }
    // Measured worst 5.2·2^-24 on these samples (one f32 ulp is 2^-24..2^-23 relative); 8 leaves margin.
    expect(worst).toBeLessThan(8 * 2 ** -24);
    expect([powF32(4, 0.5), powF32(2 ** -20, 0.25), powF32(0.0625, 0.5), powF32(2 ** -3, 3), powF32(0, 0.3)]).toEqual([2, 2 ** -5, 0.25, 2 ** -9, 0]);
    expect(powF32(0.3, 1)).toBe(0.3);
    expect(Object.is(powF32(-0, 1), -0) && Object.is(powF32(-0, 0.5), 0)).toBe(true);
  });
  test('the search MSE comes from exact per-group integer sums: independent of element order, within a unit of the f64 MSE', () => {
    const r = createRng(8);
    const x = Float32Array.from({ length: 300 }, () => f32(normal(r)));
    const xhat = x.map((v) => f32(v + 0.01 * normal(r)));
    const one = groupLayout(1, 300, 'tensor');
    const perm = Array.from({ length: 300 }, (_, i) => (i * 7) % 300); // 7 is prime to 300: a permutation
    const sums = groupErrorSums(x, xhat, one);
    expect(groupErrorSums(Float32Array.from(perm, (i) => x[i]), Float32Array.from(perm, (i) => xhat[i]), one)).toEqual(sums);
    // Each element's term is d² rounded (d = f32(x - x̂), f32 square: <= 3·2^-24 relative) then truncated to a
    // multiple of its group's unit 1/f²: the mean is below the f64 MSE by less than the unit, up to that rounding.
    const direct = mse(x, xhat);
    const blocks = groupLayout(3, 100, 'block', 32);
    for (const l of [one, blocks]) {
      const unit = Math.max(...Array.from({ length: l.groupCount }, (_, g) => clipSearchFactor(absMaxOf(x, groupIndices(l, g))) ** -2));
      const searched = meanOfGroupErrors(groupErrorSums(x, xhat, l), x, l);
      expect(Math.abs(direct - searched)).toBeLessThan(unit + 4 * 2 ** -24 * direct);
    }
  });
});
