// tests (quant layer): integer RTN reference — hand-checked groups, GPTQ edge cases, and quantizer invariants.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { type GroupLayout, groupIndices, groupLayout, groupOf } from '../../src/quant/groups';
import {
  codeRange, decodeValue, dequantizeInt, encodeValue, groupLevels, groupParams, type IntFormatParams,
  intBitsPerWeight, quantizeInt,
} from '../../src/quant/int';
import { unpackCodes } from '../../src/quant/pack';
import { layoutFields, type LayoutCase, withValues } from './arbitraries';
import { oneGroup } from './int-one-group';

const sym = (bits: number): IntFormatParams => ({ bits, symmetric: true });
const asym = (bits: number): IntFormatParams => ({ bits, symmetric: false });

describe('codeRange', () => {
  it('symmetric uses 1..2^b-1 (code 0 unused), asymmetric 0..2^b-1', () => {
    expect(codeRange(sym(4))).toEqual({ min: 1, max: 15 });
    expect(codeRange(sym(2))).toEqual({ min: 1, max: 3 });
    expect(codeRange(asym(4))).toEqual({ min: 0, max: 15 });
    expect(codeRange(asym(8))).toEqual({ min: 0, max: 255 });
  });
});

describe('groupParams (hand-checked)', () => {
  it('symmetric 3-bit: scale = absmax / (2^2 - 1)', () => {
    // absmax = max(|-1.5|, |0.75|) = 1.5, qmax = 3 -> scale 0.5, inv 2, zero point 2^(3-1) = 4.
    expect(groupParams(-1.5, 0.75, sym(3))).toEqual({ scale: 0.5, zero: 4, inv: 2 });
  });
  it('asymmetric 2-bit (GPTQ) on [-1, 2]: scale (2 - -1)/3 = 1, zero round(1/1) = 1', () => {
    expect(groupParams(-1, 2, asym(2))).toEqual({ scale: 1, zero: 1, inv: 1 });
  });
  it('asymmetric widens an all-positive or all-negative range to include 0', () => {
    // [1, 3] -> [0, 3]: scale 3/3 = 1, zero 0 (without widening it would be scale 2/3).
    expect(groupParams(1, 3, asym(2))).toEqual({ scale: 1, zero: 0, inv: 1 });
    // [-3, -1] -> [-3, 0]: scale 1, zero round(3/1) = 3.
    expect(groupParams(-3, -1, asym(2))).toEqual({ scale: 1, zero: 3, inv: 1 });
  });
  it('asymmetric all-zero group uses [-1, 1] like GPTQ', () => {
    // scale = f32(2/3): 2/3 = 2^-1 * 1.0101...b, same significand as f32(1/3), so 11184811 / 2^24
    // = 0.666666686534881591796875. |lo| / scale = 2^24 / 11184811 = 1.49999995529651...; the f32
    // neighbours in [1, 2) are 2^-23 = 1.19e-7 apart and 1.5 is 4.5e-8 away, so the quotient is 1.5,
    // and roundHalfEven(1.5) = 2. inv = the same quotient = 1.5.
    expect(groupParams(0, 0, asym(2))).toEqual({ scale: 11184811 / 2 ** 24, zero: 2, inv: 1.5 });
  });
  it('symmetric all-zero group has scale 0 and inv 0 (no division by zero)', () => {
    expect(groupParams(0, 0, sym(4))).toEqual({ scale: 0, zero: 8, inv: 0 });
  });
  it('rejects bits outside 2..8 (symmetric) or 1..8 (asymmetric)', () => {
    expect(() => groupParams(-1, 1, sym(1))).toThrow(/2\.\.8/);
    expect(() => groupParams(-1, 1, asym(9))).toThrow(/1\.\.8/);
    expect(() => groupParams(-1, 1, asym(0))).toThrow(/1\.\.8/);
  });
});

describe('encodeValue / decodeValue', () => {
  it('rounds x * inv half to even, adds the zero point, clamps to the code range', () => {
    const g = { scale: 0.5, zero: 4, inv: 2 };
    const range = codeRange(sym(3));
    expect(encodeValue(0.75, g, range)).toBe(6); // 1.5 -> 2 (tie to even) -> 6
    expect(encodeValue(0.25, g, range)).toBe(4); // 0.5 -> 0 (tie to even), Math.round would give 5
    expect(encodeValue(-0.25, g, range)).toBe(4); // -0.5 -> -0
    expect(encodeValue(-0.75, g, range)).toBe(2); // -1.5 -> -2
    expect(encodeValue(100, g, range)).toBe(7); // clamped to max
    expect(encodeValue(-100, g, range)).toBe(1); // clamped to min 1, not 0
  });
  it('decodes (code - zero) * scale in f32', () => {
    expect(decodeValue(6, 0.5, 4)).toBe(1);
    expect(decodeValue(0, 0.1, 3)).toBe(f32(-0.3)); // f64 would give -0.30000000000000004
  });
});

describe('quantizeInt / dequantizeInt (hand-checked)', () => {
  it('symmetric 3-bit on [0.75, -1.5, 0.375, 0]', () => {
    // absmax 1.5, qmax 3, scale 0.5, inv 2; x * inv = [1.5, -3, 0.75, 0] -> round half even
    // [2, -3, 1, 0]; codes q + 4 = [6, 1, 5, 4]; dequantized q * 0.5 = [1, -1.5, 0.5, 0].
    expect(oneGroup([0.75, -1.5, 0.375, 0], sym(3))).toEqual({ scale: 0.5, zero: 4, codes: [6, 1, 5, 4], xhat: [1, -1.5, 0.5, 0] });
  });
  it('asymmetric 2-bit (GPTQ) on [-1, 2, 0.5, 1.5]: ties go to even before the zero point is added', () => {
    // scale 1, zero 1; x / scale = [-1, 2, 0.5, 1.5] -> [-1, 2, 0, 2] -> codes + 1 = [0, 3, 1, 3]
    // (1.5 -> 2 then +1 = 3 is already the top code); dequantized (c - 1) * 1 = [-1, 2, 0, 2].
    expect(oneGroup([-1, 2, 0.5, 1.5], asym(2))).toEqual({ scale: 1, zero: 1, codes: [0, 3, 1, 3], xhat: [-1, 2, 0, 2] });
  });
  it('asymmetric all-positive group: the grid starts at 0', () => {
    // [1, 3] widened to [0, 3]: scale 1, zero 0, codes [1, 3], exact.
    expect(oneGroup([1, 3], asym(2))).toEqual({ scale: 1, zero: 0, codes: [1, 3], xhat: [1, 3] });
  });
  it('all-zero groups dequantize to zeros in both modes and every width', () => {
    for (let bits = 2; bits <= 8; bits++) {
      for (const format of [sym(bits), asym(bits)]) {
        const r = oneGroup([0, 0, 0], format);
        expect(r.xhat, JSON.stringify(format)).toEqual([0, 0, 0]);
        expect(r.codes.every((c) => c === r.zero)).toBe(true);
        if (format.symmetric) expect(r.scale).toBe(0);
      }
    }
  });
  it('per-column groups get their own scales (3 x 2, symmetric 3-bit)', () => {
    // columns: [3, -1.5, 1] (absmax 3 -> scale 1) and [6, -6, 2] (absmax 6 -> scale 2).
    // col 0: round([3, -1.5, 1]) = [3, -2, 1]; col 1: [6, -6, 2] / 2 = [3, -3, 1]. Codes q + 4.
    const x = Float32Array.from([3, 6, -1.5, -6, 1, 2]);
    const q = quantizeInt(x, groupLayout(3, 2, 'column'), sym(3));
    expect(Array.from(q.scales)).toEqual([1, 2]);
    expect(Array.from(q.zeros)).toEqual([4, 4]);
    expect(Array.from(unpackCodes(q.words, 3, 6))).toEqual([7, 7, 2, 1, 5, 5]);
    expect(Array.from(dequantizeInt(q))).toEqual([3, 6, -2, -6, 1, 2]);
  });
  it('rejects a layout that does not match the tensor', () => {
    expect(() => quantizeInt(new Float32Array(5), groupLayout(2, 3, 'row'), sym(4))).toThrow(/layout/);
  });
});

describe('groupLevels', () => {
  it('lists every code value ascending (hand-checked)', () => {
    expect(groupLevels(sym(3), 0.5, 4)).toEqual([-1.5, -1, -0.5, 0, 0.5, 1, 1.5]);
    expect(groupLevels(asym(2), 1, 1)).toEqual([-1, 0, 1, 2]);
  });
  it('has 2^b - 1 (symmetric, mirrored around 0) or 2^b (asymmetric) ascending entries', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }), fc.boolean(), fc.float({ min: f32(1e-6), max: f32(1e3), noNaN: true }), fc.nat(),
        (bits, symmetric, scale, z) => {
          const zero = symmetric ? 1 << (bits - 1) : z % (1 << bits);
          const levels = groupLevels({ bits, symmetric }, scale, zero);
          expect(levels.length).toBe(symmetric ? (1 << bits) - 1 : 1 << bits);
          expect(levels.every((v, i) => i === 0 || v > levels[i - 1])).toBe(true);
          expect(levels).toContain(0);
          if (symmetric) expect(levels.every((v, i) => v === -levels[levels.length - 1 - i])).toBe(true);
        }),
      { seed: 42, numRuns: 300 },
    );
  });
});

describe('intBitsPerWeight (hand-checked)', () => {
  const n = 1024 * 1024;
  it('INT4 symmetric, block 64: 4 + 32/64 = 4.5', () => {
    expect(intBitsPerWeight(sym(4), n, groupLayout(1024, 1024, 'block', 64).groupCount)).toBe(4.5);
  });
  it('INT4 asymmetric, block 128: 4 + (32 + 4)/128 = 4.28125', () => {
    expect(intBitsPerWeight(asym(4), n, groupLayout(1024, 1024, 'block', 128).groupCount)).toBe(4.28125);
  });
  it('per-tensor costs almost exactly the code width', () => {
    expect(intBitsPerWeight(sym(8), n, 1)).toBe(8 + 32 / n); // 8.000030517578125
    expect(intBitsPerWeight(sym(4), n, 1) - 4).toBeLessThan(1e-4);
  });
  it('INT3 asymmetric per-row on 4 x 8: (32*3 + 4*(32 + 3)) / 32 = 236/32 = 7.375', () => {
    expect(intBitsPerWeight(asym(3), 32, groupLayout(4, 8, 'row').groupCount)).toBe(7.375);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random shapes, granularities, widths and both modes.

interface Case extends LayoutCase { bits: number; symmetric: boolean }

const caseArb: fc.Arbitrary<Case> = fc.record({
  ...layoutFields,
  bits: fc.integer({ min: 2, max: 8 }),
  symmetric: fc.boolean(),
});


const tensorArb = withValues(caseArb);

/** A drawn tensor quantized with its case's format and layout, and dequantized. */
function quantizeCase({ rows, cols, kind, blockSize, bits, symmetric, x }: Case & { x: Float32Array }) {
  const format = { bits, symmetric };
  const layout = groupLayout(rows, cols, kind, blockSize);
  const q = quantizeInt(x, layout, format);
  return { format, layout, q, xhat: dequantizeInt(q) };
}

/**
 * f32 slack on top of the ideal |x - x̂| <= scale/2, in units of scale. Derivation (u = 2^-24):
 * inv = (1/s)(1+d1) and f32(x*inv) add relative error <= 2u of |x/s| <= 2^b; the asymmetric zero
 * point and f32(hi - lo), f32(range/maxq) can push the clip edge out by <= 3u * 2^b; decoding
 * f32((c - z) * s) adds u * |x̂/s| <= u * 2^b. Sum <= 6u * 2^b < 2^(b+3) u = 2^(b - 21).
 * (A relative 1e-6 would be too tight at 8 bits: 2^(8-21) = 1.2e-4 of a step is reachable.)
 * A real rounding bug costs a whole half step, three orders of magnitude above this slack.
 */
const slack = (bits: number) => 2 ** (bits - 21);

describe('quantizer invariants (fast-check)', () => {
  it('|x - x̂| <= scale/2 (+ f32 slack) for every element, and codes stay inside codeRange', () => {
    fc.assert(
      fc.property(tensorArb, (c) => {
        const { bits, x } = c;
        const { format, layout, q, xhat } = quantizeCase(c);
        const codes = unpackCodes(q.words, bits, x.length);
        const { min, max } = codeRange(format);
        const bad: string[] = [];
        for (let i = 0; i < x.length; i++) {
          const s = q.scales[groupOf(layout, i)];
          if (Math.abs(x[i] - xhat[i]) > s * (0.5 + slack(bits))) bad.push(`i=${i} x=${x[i]} x̂=${xhat[i]} scale=${s}`);
          if (codes[i] < min || codes[i] > max) bad.push(`i=${i} code ${codes[i]} outside ${min}..${max}`);
        }
        expect(bad).toEqual([]);
      }),
      { seed: 42, numRuns: 400 },
    );
  });

  it('x̂ is a level of its group and the nearest one (round to nearest, up to f32 slack)', () => {
    fc.assert(
      fc.property(tensorArb, (c) => {
        const { bits, symmetric, x } = c;
        const { format, layout, q, xhat } = quantizeCase(c);
        const bad: string[] = [];
        for (let g = 0; g < layout.groupCount; g++) {
          const levels = groupLevels(format, q.scales[g], q.zeros[g]);
          for (const i of groupIndices(layout, g)) {
            if (!levels.includes(xhat[i])) bad.push(`x̂[${i}] = ${xhat[i]} is not a level`);
            const best = Math.min(...levels.map((v) => Math.abs(x[i] - v)));
            if (Math.abs(x[i] - xhat[i]) > best + q.scales[g] * slack(bits)) bad.push(`x[${i}] = ${x[i]}: ${xhat[i]} is not nearest`);
          }
          if (!symmetric) {
            const z = q.zeros[g];
            if (!(Number.isInteger(z) && z >= 0 && z <= (1 << bits) - 1)) bad.push(`zero ${z} not an integer code`);
          }
        }
        expect(bad).toEqual([]);
      }),
      { seed: 43, numRuns: 300 },
    );
  });

  it('is idempotent on representable values: x = (c - zero) * 2^k with the extremes hit comes back exactly', () => {
    // Every group gets its extreme codes (symmetric: ±qmax; asymmetric: 0 and 2^b - 1), so the group
    // range is exactly (2^b - 1) * 2^k or qmax * 2^k and the scale must come out as exactly 2^k,
    // the zero point as z, and every x * inv as an exact integer.
    const arb = caseArb.chain((c) => fc.record({
      c: fc.constant(c),
      k: fc.integer({ min: -20, max: 10 }),
      r: fc.array(fc.nat(), { minLength: c.rows * c.cols, maxLength: c.rows * c.cols }),
      z: fc.array(fc.nat(), { minLength: 256, maxLength: 256 }), // enough for 8 x 24 per-element groups
    }));
    fc.assert(
      fc.property(arb, ({ c: { rows, cols, kind, blockSize, bits, symmetric }, k, r, z }) => {
        const layout: GroupLayout = groupLayout(rows, cols, kind, blockSize);
        const n = rows * cols;
        const qmax = (1 << (bits - 1)) - 1, maxq = (1 << bits) - 1;
        const codes = new Array<number>(n), zeros = new Array<number>(layout.groupCount);
        for (let g = 0; g < layout.groupCount; g++) {
          const idx = groupIndices(layout, g);
          if (symmetric) {
            zeros[g] = qmax + 1;
            for (const i of idx) codes[i] = (r[i] % (2 * qmax + 1)) + 1; // 1..2^b-1
            codes[idx[0]] = r[idx[0]] % 2 === 0 ? maxq : 1; // +qmax or -qmax
          } else {
            zeros[g] = idx.length >= 2 ? z[g] % (maxq + 1) : 0;
            for (const i of idx) codes[i] = r[i] % (maxq + 1);
            codes[idx[0]] = maxq;
            if (idx.length >= 2) codes[idx[1]] = 0;
          }
        }
        const x = Float32Array.from(codes, (code, i) => (code - zeros[groupOf(layout, i)]) * 2 ** k);
        const q = quantizeInt(x, layout, { bits, symmetric });
        expect(Array.from(q.scales)).toEqual(new Array(layout.groupCount).fill(2 ** k));
        expect(Array.from(q.zeros)).toEqual(zeros);
        expect(Array.from(unpackCodes(q.words, bits, n))).toEqual(codes);
        expect(Array.from(dequantizeInt(q))).toEqual(Array.from(x));
      }),
      { seed: 44, numRuns: 300 },
    );
  });
});
