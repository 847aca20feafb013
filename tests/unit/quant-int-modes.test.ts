// tests (quant layer): integer modes (sym, sym-full, asym, asym-float) and scale encodings — hand-checked goldens and bpw.
import { describe, expect, it } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { BF16, E4M3, FP16 } from '../../src/quant/formats/fp';
import { groupLayout } from '../../src/quant/groups';
import {
  codeRange, groupLevels, groupParams, intBitsPerWeight, intFormatProblem, quantizeInt, resolveIntFormat,
} from '../../src/quant/int';
import { encodeScale, encodeSigned } from '../../src/quant/scaleEncoding';
import { createRng } from '../../src/lib/rng';
import { oneGroup } from './int-one-group';

describe('format resolution and validation', () => {
  it('keeps the legacy shapes: symmetric true = sym, false = asym, absent = sym; mode wins', () => {
    expect(resolveIntFormat({ bits: 4, symmetric: true })).toEqual({ bits: 4, mode: 'sym', scale: 'fp32', rounding: 'nearest', seed: 0, clip: { kind: 'none' } });
    expect(resolveIntFormat({ bits: 4, symmetric: false }).mode).toBe('asym');
    expect(resolveIntFormat({ bits: 4 }).mode).toBe('sym');
    expect(resolveIntFormat({ bits: 4, symmetric: true, mode: 'asym-float' }).mode).toBe('asym-float');
  });
  it('names what is wrong', () => {
    expect(intFormatProblem({ bits: 1, mode: 'sym' })).toMatch(/2\.\.8/);
    expect(intFormatProblem({ bits: 1, mode: 'sym-full' })).toMatch(/2\.\.8/);
    expect(intFormatProblem({ bits: 1, mode: 'asym' })).toBeNull();
    expect(intFormatProblem({ bits: 1, mode: 'asym-float' })).toBeNull();
    expect(intFormatProblem({ bits: 9, mode: 'asym' })).toMatch(/1\.\.8/);
    expect(intFormatProblem({ bits: 4, mode: 'asym-float', scale: 'e8m0' })).toMatch(/E8M0/);
    expect(intFormatProblem({ bits: 4, clip: { kind: 'percentile', p: 89.9 } })).toMatch(/\[90, 100\]/);
    expect(intFormatProblem({ bits: 4, rounding: 'stochastic', seed: -1 })).toMatch(/u32/);
    expect(() => quantizeInt(new Float32Array(2), groupLayout(1, 2, 'row'), { bits: 4, mode: 'asym-float', scale: 'e8m0' })).toThrow(/E8M0/);
  });
  it('code ranges: sym 1..2^b-1, the others 0..2^b-1', () => {
    expect(codeRange({ bits: 4, mode: 'sym' })).toEqual({ min: 1, max: 15 });
    expect(codeRange({ bits: 4, mode: 'sym-full' })).toEqual({ min: 0, max: 15 });
    expect(codeRange({ bits: 1, mode: 'asym' })).toEqual({ min: 0, max: 1 });
    expect(codeRange({ bits: 3, mode: 'asym-float' })).toEqual({ min: 0, max: 7 });
  });
});

describe('sym-full (GPTQ sym=True / torchao choose_qparams_affine SYMMETRIC), hand-checked', () => {
  it('INT4 on [-3.75, 1.25, 0.25, 3.75, -0.75]: scale 2 * 3.75 / 15 = 0.5, -8 is reachable and +8 is not', () => {
    // scale = 3.75 / 7.5 = 0.5, inv 2, zero 8. x * 2 = [-7.5, 2.5, 0.5, 7.5, -1.5] -> half-even
    // [-8, 2, 0, 8, -2] -> +8 clamps to +7 (code 15). Codes q + 8 = [0, 10, 8, 15, 6];
    // x̂ = q * 0.5 = [-4, 1, 0, 3.5, -1].
    expect(oneGroup([-3.75, 1.25, 0.25, 3.75, -0.75], { bits: 4, mode: 'sym-full' }))
      .toEqual({ scale: 0.5, zero: 8, codes: [0, 10, 8, 15, 6], xhat: [-4, 1, 0, 3.5, -1] });
    // The same data with sym: scale = 3.75 / 7 (a coarser step that reaches ±3.75 exactly).
    expect(oneGroup([-3.75, 1.25, 0.25, 3.75, -0.75], { bits: 4, mode: 'sym' }).scale).toBe(f32(3.75 / 7));
  });
  it('groupParams: scale = a / ((2^b - 1) / 2), zero 2^(b-1), for 2 and 8 bits', () => {
    // 2 bits: 1.5 / 1.5 = 1, zero 2. 8 bits: 127.5 / 127.5 = 1, zero 128.
    expect(groupParams(-1.5, 0.5, { bits: 2, mode: 'sym-full' })).toEqual({ scale: 1, zero: 2, inv: 1 });
    expect(groupParams(-100, 127.5, { bits: 8, mode: 'sym-full' })).toEqual({ scale: 1, zero: 128, inv: 1 });
  });
  it('has 2^b levels from -2^(b-1) * s to (2^(b-1) - 1) * s', () => {
    expect(groupLevels({ bits: 3, mode: 'sym-full' }, 0.5, 4)).toEqual([-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5]);
  });
});

describe('asym-float (HQQ float zero point), hand-checked', () => {
  it('INT2 on [-0.25, 1.25, 0.5]: min and max land on the grid, unlike GPTQ integer zero', () => {
    // scale = (1.25 - -0.25) / 3 = 0.5, inv 2, zero = 0.25 / 0.5 = 0.5 (not rounded).
    // codes round(2x + 0.5): -0.25 -> 0; 1.25 -> 3; 0.5 -> round(1.5) = 2 (tie to even).
    // x̂ = (c - 0.5) * 0.5 = [-0.25, 1.25, 0.75]: both ends exact.
    expect(oneGroup([-0.25, 1.25, 0.5], { bits: 2, mode: 'asym-float' }))
      .toEqual({ scale: 0.5, zero: 0.5, codes: [0, 3, 2], xhat: [-0.25, 1.25, 0.75] });
    // GPTQ on the same data: zero = round(0.5) = 0 (half-even), grid {0, 0.5, 1, 1.5}:
    // -0.25 -> round(-0.5) = 0 -> 0 (error 0.25); 1.25 -> round(2.5) = 2 -> 1 (error 0.25).
    expect(oneGroup([-0.25, 1.25, 0.5], { bits: 2, mode: 'asym' }))
      .toEqual({ scale: 0.5, zero: 0, codes: [0, 2, 1], xhat: [0, 1, 0.5] });
  });
  it('an all-positive group needs no widening: zero point < 0', () => {
    // [0.5, 2]: scale 1.5 / 3 = 0.5, zero = -0.5 / 0.5 = -1; round(2x - 1): [0, 3, 1, 2 (1.5 -> 2)].
    expect(oneGroup([0.5, 2, 1, 1.25], { bits: 2, mode: 'asym-float' }))
      .toEqual({ scale: 0.5, zero: -1, codes: [0, 3, 1, 2], xhat: [0.5, 2, 1, 1.5] });
  });
  it('a constant group is widened to include 0 and stays exact; all-zero gives scale 0, zero +0', () => {
    // [0.75, 0.75] -> [0, 0.75]: scale 0.25, zero 0, code 3 -> 0.75.
    expect(oneGroup([0.75, 0.75], { bits: 2, mode: 'asym-float' })).toEqual({ scale: 0.25, zero: 0, codes: [3, 3], xhat: [0.75, 0.75] });
    // [-0.75, -0.75] -> [-0.75, 0]: scale 0.25, zero 3, code round(-3 + 3) = 0 -> (0 - 3) * 0.25.
    expect(oneGroup([-0.75, -0.75], { bits: 2, mode: 'asym-float' })).toEqual({ scale: 0.25, zero: 3, codes: [0, 0], xhat: [-0.75, -0.75] });
    const z = oneGroup([0, 0, 0], { bits: 3, mode: 'asym-float' });
    expect(z).toEqual({ scale: 0, zero: 0, codes: [0, 0, 0], xhat: [0, 0, 0] });
    expect(Object.is(z.zero, 0)).toBe(true);
  });
  it('INT1: two levels, min and max', () => {
    // scale = 2 / 1, zero = 0.5 / 2 = 0.25; round(x/2 + 0.25): -0.5 -> 0, 1.5 -> 1, 0.4 -> round(0.45) = 0.
    expect(oneGroup([-0.5, 1.5, 0.4], { bits: 1, mode: 'asym-float' }))
      .toEqual({ scale: 2, zero: 0.25, codes: [0, 1, 0], xhat: [-0.5, 1.5, -0.5] });
  });
});

describe('asym (GPTQ) at 1 bit', () => {
  it('[-1, 3]: scale 4, zero round(0.25) = 0 -> levels {0, 4}', () => {
    // round(x / 4) + 0: -1 -> -0.25 -> 0; 3 -> 0.75 -> 1; 1 -> 0.25 -> 0.
    expect(oneGroup([-1, 3, 1], { bits: 1, mode: 'asym' })).toEqual({ scale: 4, zero: 0, codes: [0, 1, 0], xhat: [0, 4, 0] });
  });
});

describe('scale encodings (hand-checked)', () => {
  it('fp16: nearest-even, subnormals kept, saturating at 65504', () => {
    // f32(0.1) = 0x3DCCCCCD; fp16 0x2E66 = 1638 * 2^-14 = 0.0999755859375 (0x2E67 is farther).
    expect(encodeScale(f32(0.1), 'fp16')).toBe(0.0999755859375);
    expect(encodeScale(1e5, 'fp16')).toBe(65504);
    expect(encodeScale(2 ** -24, 'fp16')).toBe(2 ** -24); // smallest subnormal
    expect(encodeScale(2 ** -25, 'fp16')).toBe(0); // tie between 0 and 2^-24: even is 0
    expect(encodeScale(1.5 * 2 ** -24, 'fp16')).toBe(2 ** -23); // tie between 1 and 2 quanta: 2
    expect(encodeScale(0.75 * 2 ** -24, 'fp16')).toBe(2 ** -24);
  });
  it('bf16: f32 bits rounded at bit 16, ties to even, saturating at 0x7F7F', () => {
    // f32(1/3) = 0x3EAAAAAB: low half 0xAAAB > 0x8000 -> 0x3EAB0000 = 0.333984375.
    expect(encodeScale(f32(1 / 3), 'bf16')).toBe(0.333984375);
    expect(encodeScale(1 + 2 ** -8, 'bf16')).toBe(1); // tie (bit 15 only), 0x3F80 even -> stays
    expect(encodeScale(1 + 3 * 2 ** -8, 'bf16')).toBe(1 + 2 ** -6); // tie, 0x3F81 odd -> up
    expect(encodeScale(f32(3.4e38), 'bf16')).toBe(3.3895313892515355e38);
  });
  it('E4M3: 3 mantissa bits, subnormals down to 2^-9, saturating at 448', () => {
    // 0.3 in [0.25, 0.5): quantum 2^-5; 0.3 / 2^-5 = 9.6 -> 10 -> 0.3125.
    expect(encodeScale(f32(0.3), 'e4m3')).toBe(0.3125);
    expect(encodeScale(500, 'e4m3')).toBe(448);
    expect(encodeScale(2 ** -10, 'e4m3')).toBe(0); // half the smallest subnormal: tie to 0
    expect(encodeScale(f32(0.0015), 'e4m3')).toBe(2 ** -9); // 0.768 quanta -> 1
  });
  it('E8M0: rounded UP to a power of two (never a smaller step), capped at 2^127', () => {
    expect(encodeScale(f32(0.3), 'e8m0')).toBe(0.5);
    expect(encodeScale(0.25, 'e8m0')).toBe(0.25);
    expect(encodeScale(f32(0.2500001), 'e8m0')).toBe(0.5);
    expect(encodeScale(f32(3e38), 'e8m0')).toBe(2 ** 127);
    expect(encodeScale(0, 'e8m0')).toBe(0);
  });
  it('agrees with the element formats of src/quant/formats/fp.ts on 20 000 random magnitudes', () => {
    const rand = createRng(5);
    for (let k = 0; k < 20000; k++) {
      const v = f32(2 ** (rand() * 80 - 40) * (1 + rand()));
      expect(encodeScale(v, 'fp16'), `fp16 ${v}`).toBe(FP16.round(v));
      expect(encodeScale(v, 'bf16'), `bf16 ${v}`).toBe(BF16.round(v));
      expect(encodeScale(v, 'e4m3'), `e4m3 ${v}`).toBe(E4M3.round(v));
      const up = encodeScale(v, 'e8m0');
      expect(Number.isInteger(Math.log2(up))).toBe(true);
      expect(up >= v && up / 2 < v).toBe(true);
    }
  });
  it('signed values keep their sign', () => {
    expect(encodeSigned(f32(-0.3), 'e4m3')).toBe(-0.3125);
    expect(encodeSigned(f32(-0.1), 'fp16')).toBe(-0.0999755859375);
  });
});

describe('quantizing with an encoded scale (hand-checked)', () => {
  it('sym INT4, E8M0 on [-1, 0.5, 0.3]: 1/7 rounds up to 0.25', () => {
    // scale 1/7 = 0.142857 -> 2^-2 = 0.25, inv 4, zero 8: x * 4 = [-4, 2, 1.2] -> [-4, 2, 1];
    // codes [4, 10, 9]; x̂ = [-1, 0.5, 0.25]. The grid reaches ±7 * 0.25 = ±1.75: no overflow.
    expect(oneGroup([-1, 0.5, 0.3], { bits: 4, mode: 'sym', scale: 'e8m0' }))
      .toEqual({ scale: 0.25, zero: 8, codes: [4, 10, 9], xhat: [-1, 0.5, 0.25] });
  });
  it('asym-float INT4, E4M3 on [-1, 3.5, 1]: scale and zero point both rounded to E4M3', () => {
    // scale 4.5 / 15 = f32(0.3) -> 0.3125 (above); inv = 1 / 0.3125 = 3.2;
    // zero = 1 / 0.3125 = 3.2 -> E4M3 quantum 0.25 in [2, 4): 3.25.
    // -1: f32(-3.2 + 3.25) = 0.05 -> 0; 3.5: 11.2 + 3.25 = 14.45 -> 14; 1: 3.2 + 3.25 = 6.45 -> 6.
    // x̂ = (c - 3.25) * 0.3125 = [-1.015625, 3.359375, 0.859375]: with E4M3 the ends miss the grid.
    expect(oneGroup([-1, 3.5, 1], { bits: 4, mode: 'asym-float', scale: 'e4m3' }))
      .toEqual({ scale: 0.3125, zero: 3.25, codes: [0, 14, 6], xhat: [-1.015625, 3.359375, 0.859375] });
  });
  it('asym with a scale rounded down: the zero point is clamped to 2^b - 1', () => {
    // [-0.996, 0] at 4 bits: scale 0.996 / 15 = 0.0664 = 1.0624 * 2^-4; E4M3 has 1, 1.125, ... * 2^-4
    // there, and 1.0624 < 1.0625 rounds down to 0.0625 (-5.9%). |lo| / scale = 0.996 / 0.0625 =
    // 15.94 -> 16 > 15: clamped to 15, so the zero point still fits its 4 bits. inv = 16.
    expect(groupParams(f32(-0.996), 0, { bits: 4, mode: 'asym', scale: 'e4m3' })).toEqual({ scale: 0.0625, zero: 15, inv: 16 });
  });
  it('fp16 scale: the scale actually used is the fp16 value (0.0999755859375, not 0.1)', () => {
    // sym INT4 on [0.7, -0.35]: 0.7 / 7 = f32(0.1) -> 0.0999755859375; inv = f32(1 / that) =
    // 10.002442598342896 (correctly rounded); 0.7 * inv = 7.0017 -> 7; -0.35 * inv = -3.50085 -> -4.
    const r = oneGroup([0.7, -0.35], { bits: 4, mode: 'sym', scale: 'fp16' });
    expect(r.scale).toBe(0.0999755859375);
    expect(r.codes).toEqual([15, 4]);
    expect(r.xhat).toEqual([f32(7 * 0.0999755859375), f32(-4 * 0.0999755859375)]);
  });
});

describe('intBitsPerWeight with scale encodings and zero points (hand-checked)', () => {
  const n = 1024 * 1024;
  const groups = (block: number) => groupLayout(1024, 1024, 'block', block).groupCount;
  it('INT4 sym fp16, block 32: 4 + 16/32 = 4.5', () => {
    expect(intBitsPerWeight({ bits: 4, mode: 'sym', scale: 'fp16' }, n, groups(32))).toBe(4.5);
  });
  it('INT8 sym-full E8M0, block 32: 8 + 8/32 = 8.25 (the MXINT8 budget)', () => {
    expect(intBitsPerWeight({ bits: 8, mode: 'sym-full', scale: 'e8m0' }, n, groups(32))).toBe(8.25);
  });
  it('INT4 asym E4M3, block 32: 4 + (8 + 4)/32 = 4.375', () => {
    expect(intBitsPerWeight({ bits: 4, mode: 'asym', scale: 'e4m3' }, n, groups(32))).toBe(4.375);
  });
  it('INT4 asym-float bf16, block 64: 4 + (16 + 16)/64 = 4.5; fp32: 4 + 64/64 = 5', () => {
    expect(intBitsPerWeight({ bits: 4, mode: 'asym-float', scale: 'bf16' }, n, groups(64))).toBe(4.5);
    expect(intBitsPerWeight({ bits: 4, mode: 'asym-float' }, n, groups(64))).toBe(5);
  });
  it('clipping and rounding cost nothing', () => {
    expect(intBitsPerWeight({ bits: 4, clip: { kind: 'mse' }, rounding: 'stochastic' }, n, groups(64))).toBe(4.5);
  });
});
