// tests (quant layer): binary (binary.ts), BitNet b1.58 ternary (ternary.ts) and PTQTP trit-planes (ptqtp.ts).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { createRng, normal } from '../../src/lib/rng';
import { groupLayout } from '../../src/quant/groups';
import { unpackCodes } from '../../src/quant/pack';
import { binaryBitsPerWeight, dequantizeBinary, meanAbs, quantizeBinary, roundRatioF32 } from '../../src/quant/nonuniform/binary';
import { dequantizePtqtp, ptqtpBitsPerWeight, quantizePtqtp } from '../../src/quant/nonuniform/ptqtp';
import {
  BITNET_EPS, TRIT_BITS, dequantizeTernary, packTrits5, quantizeTernary, ternaryBitsPerWeight, unpackTrits5,
} from '../../src/quant/nonuniform/ternary';

const mse = (x: Float32Array, d: Float32Array): number => x.reduce((s, v, i) => s + (v - d[i]) ** 2, 0) / x.length;
const gaussian = (seed: number, n: number): Float32Array => { const r = createRng(seed); return Float32Array.from({ length: n }, () => f32(normal(r))); };

describe('binary sign(x)·mean|x|', () => {
  test('golden: groups of 3 -> ±2 and ±1.5; zero counts as +', () => {
    const q = quantizeBinary(Float32Array.from([1, -2, 3, 0, -4, 0.5]), groupLayout(2, 3, 'row'));
    expect([...q.scales]).toEqual([2, 1.5]);
    expect([...unpackCodes(q.words, 1, 6)]).toEqual([1, 0, 1, 1, 0, 1]);
    expect([...dequantizeBinary(q)]).toEqual([2, -2, 2, 1.5, -1.5, 1.5]);
    expect(binaryBitsPerWeight('fp16', 4096, 32)).toBe(1.125);
  });
  test('mean|x| is the least-squares scale for the sign pattern', () => {
    const x = gaussian(3, 128), l = groupLayout(1, 128, 'tensor');
    const q = quantizeBinary(x, l), e = mse(x, dequantizeBinary(q));
    for (const f of [0.9, 1.1]) {
      const d = dequantizeBinary({ ...q, scales: Float32Array.from([q.scales[0] * f]) });
      expect(mse(x, d)).toBeGreaterThan(e);
    }
  });
});

describe('meanAbs: exact fixed-point sum, one rounding (the GPU definition)', () => {
  test('roundRatioF32 rounds s / n · 2^f to nearest even, subnormals included', () => {
    expect(roundRatioF32(3n, 1, 0)).toBe(3);
    expect(roundRatioF32(1n, 3, 0)).toBe(f32(1 / 3));
    expect(roundRatioF32(0x1000001n, 1, 0)).toBe(0x1000000); // tie to even
    expect(roundRatioF32(0x1000003n, 1, 0)).toBe(0x1000004);
    expect(roundRatioF32(1n, 2, -149)).toBe(0); // half of 2^-149: tie to even (0)
    expect(roundRatioF32(3n, 2, -149)).toBe(2 * 2 ** -149);
    expect(roundRatioF32(2n, 3, -149)).toBe(2 ** -149);
  });
  test('equals f32 of the exact mean when the inputs are on the fixed-point grid; close otherwise', () => {
    const idx = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(meanAbs(Float32Array.from([1, -2, 3]), idx(3))).toBe(2);
    expect(meanAbs(Float32Array.from([0.1, -0.2, 0.3, 0]), idx(4))).toBe(f32((f32(0.1) + f32(0.2) + f32(0.3)) / 4));
    expect(meanAbs(Float32Array.from([0, -0]), idx(2))).toBe(0);
    const x = gaussian(11, 4096);
    const exact = x.reduce((s, v) => s + Math.abs(v), 0) / x.length;
    expect(Math.abs(meanAbs(x, idx(x.length)) - exact)).toBeLessThanOrEqual(exact * 2 ** -23);
  });
});

describe('ternary absmean (BitNet b1.58)', () => {
  test('golden: gamma = mean|x| = 3.1/6; round then clip', () => {
    // x / gamma = [0.97, -0.39, 2.52, -1.94, 0.19, 0] -> [1, 0, 1, -1, 0, 0]
    const x = Float32Array.from([0.5, -0.2, 1.3, -1, 0.1, 0]);
    const q = quantizeTernary(x, groupLayout(1, 6, 'tensor'));
    const g = f32(f32(0.5 + 0.2 + 1.3 + 1 + 0.1) / 6);
    expect(q.scales[0]).toBeCloseTo(g, 7);
    expect([...unpackCodes(q.words, 2, 6)].map((c) => c - 1)).toEqual([1, 0, 1, -1, 0, 0]);
  });
  test('ties round half to even (0.5 -> 0, where Math.round gives 1); eps floors gamma', () => {
    const q = quantizeTernary(Float32Array.from([0.5, -0.5, 2.5, -0.5]), groupLayout(1, 4, 'tensor')); // gamma 1
    expect([...unpackCodes(q.words, 2, 4)].map((c) => c - 1)).toEqual([0, 0, 1, 0]);
    const z = quantizeTernary(new Float32Array(8), groupLayout(1, 8, 'tensor'));
    expect(z.scales[0]).toBe(f32(BITNET_EPS));
    expect([...dequantizeTernary(z)].every((v) => v === 0)).toBe(true);
  });
  test('storage: 2 bits per trit in the packer, 1.6 with 5 trits per byte, log2 3 is the entropy', () => {
    expect(TRIT_BITS).toBeCloseTo(1.58496, 5);
    expect(ternaryBitsPerWeight('2bit', 'fp32', 1000, 1)).toBe(2 + 32 / 1000);
    expect(ternaryBitsPerWeight('base3', 'fp32', 1000, 1)).toBe((1600 + 32) / 1000);
    // [2, 0, 1, 1, 2] -> 2 + 0·3 + 1·9 + 1·27 + 2·81 = 200; a tail of 2 pads with code 1 (t = 0).
    expect([...packTrits5([2, 0, 1, 1, 2, 0, 2])]).toEqual([200, 0 + 2 * 3 + 9 + 27 + 81]);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 64 }), (codes) => {
      expect([...unpackTrits5(packTrits5(codes), codes.length)]).toEqual(codes);
    }), { seed: 3, numRuns: 100 });
  });
  test('monotone and in range', () => {
    const x = gaussian(9, 256).sort();
    const d = dequantizeTernary(quantizeTernary(x, groupLayout(1, 256, 'tensor')));
    for (let i = 1; i < 256; i++) expect(d[i]).toBeGreaterThanOrEqual(d[i - 1]);
  });
});

describe('PTQTP two trit-planes', () => {
  test('golden: [3, 1, -1, -3] is represented exactly by 3·T1 + 1·T2', () => {
    // T1 = absmean ternary (gamma 2): [1, 0, 0, -1], a1 = 3 (least squares); residual [0, 1, -1, 0] -> T2 =
    // [0, 1, -1, 0]; normal equations diag(2, 2) -> a1 = 3, a2 = 1; no trit changes: one iteration.
    const x = Float32Array.from([3, 1, -1, -3]);
    const q = quantizePtqtp(x, groupLayout(1, 4, 'tensor'));
    expect([...q.scales]).toEqual([3, 1]);
    expect([...q.iterations]).toEqual([1]);
    expect([...dequantizePtqtp(q)]).toEqual([3, 1, -1, -3]);
    expect(mse(x, dequantizeTernary(quantizeTernary(x, groupLayout(1, 4, 'tensor'))))).toBe(1); // [2, 0, 0, -2]
  });
  test('bits per weight: two planes plus two scales per group', () => {
    expect(ptqtpBitsPerWeight('2bit', 'fp16', 4096, 32)).toBe(4.25);
    expect(ptqtpBitsPerWeight('base3', 'fp32', 1000, 10)).toBe((3200 + 640) / 1000);
  });
  test('beats single-plane ternary on Gaussian data, per group and per tensor', () => {
    fc.assert(fc.property(fc.nat(), fc.constantFrom(16, 64, 256), fc.constantFrom<'fp16' | 'fp32'>('fp16', 'fp32'), (seed, block, st) => {
      const x = gaussian(seed, 1024), l = groupLayout(4, 256, 'block', block);
      const planes = mse(x, dequantizePtqtp(quantizePtqtp(x, l, st)));
      const single = mse(x, dequantizeTernary(quantizeTernary(x, l, st)));
      expect(planes).toBeLessThan(single * 0.5); // 9 levels against 3: about 0.03 vs 0.2 per unit variance
      const codes = unpackCodes(quantizePtqtp(x, l, st).plane1, 2, 1024);
      expect(codes.every((c) => c <= 2)).toBe(true);
    }), { seed: 2025, numRuns: 20 });
  });
});
