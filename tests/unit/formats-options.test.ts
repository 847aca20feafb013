// tests (quant layer): format options — scale storage of the absmax codebooks, stochastic rounding and percentile clip of the scaled FP and MX formats.
import { describe, expect, it } from 'vitest';
import { f32 } from '../../src/lib/f32';
import { createRng, normal, studentT } from '../../src/lib/rng';
import {
  bitsPerWeightOf, ELEMENT_OPTION_FORMATS, type FormatChoice, formatOptionsProblem, layoutFor, quantizeWith, SCALE_OPTION_FORMATS,
} from '../../src/quant/apply';
import { percentileAbs } from '../../src/quant/clip';
import { elementGrid, type ElementOptions, stochasticOnGrid } from '../../src/quant/formats/elementOptions';
import { BF16, E2M1, E4M3, E5M2, FP16 } from '../../src/quant/formats/fp';
import { dequantizeIq4nl, quantizeIq4nl } from '../../src/quant/formats/iq4nl';
import { MX_ELEMENTS, MXINT8_ELEMENT, quantizeMx } from '../../src/quant/formats/mx';
import { quantizeScaledFp } from '../../src/quant/formats/scaledFp';
import { absMaxOf, groupIndices, groupLayout } from '../../src/quant/groups';
import { unpackCodes } from '../../src/quant/pack';

const rand = createRng(17);
const x = Float32Array.from({ length: 8 * 256 }, () => f32(studentT(rand, 3) * 0.02));

describe('scale storage of the absmax codebooks', () => {
  it('NF4/FP4/NF3/NF2 store the group absmax in the chosen type (RNE), and bits per weight count it', () => {
    for (const id of ['nf4', 'fp4-bnb', 'nf3', 'nf2']) {
      for (const [scale, round, bits] of [['fp16', FP16.round, 16], ['bf16', BF16.round, 16], ['fp32', f32, 32]] as const) {
        const choice: FormatChoice = { kind: 'format', id, options: { scale } };
        const layout = layoutFor(choice, 8, 256, 'block', 64);
        const q = quantizeWith(x, layout, choice);
        for (let g = 0; g < layout.groupCount; g++) expect(q.groupScales[g]).toBe(round(absMaxOf(x, groupIndices(layout, g))));
        const codeBits = id === 'nf3' ? 3 : id === 'nf2' ? 2 : 4;
        expect(bitsPerWeightOf(choice, x.length, layout.groupCount)).toBe(codeBits + bits / 64);
      }
    }
  });
  it('absent, each format keeps its own storage: bitsandbytes fp32, IQ4_NL fp16 (4.5 bpw)', () => {
    const layout = layoutFor({ kind: 'format', id: 'iq4_nl' }, 8, 256, 'block', 64);
    expect(quantizeWith(x, layout, { kind: 'format', id: 'iq4_nl' }).xhat).toEqual(quantizeWith(x, layout, { kind: 'format', id: 'iq4_nl', options: { scale: 'fp16' } }).xhat);
    expect(bitsPerWeightOf({ kind: 'format', id: 'nf4' }, 4096, 64)).toBe(4.5);
    expect(bitsPerWeightOf({ kind: 'format', id: 'iq4_nl' }, 4096, 128)).toBe(4.5);
    expect(bitsPerWeightOf({ kind: 'format', id: 'iq4_nl', options: { scale: 'fp32' } }, 4096, 128)).toBe(5);
  });
  it('IQ4_NL with fp32 / bf16 scales: the same codes, the refit d rounded to that type instead of fp16', () => {
    const layout = groupLayout(8, 256, 'block', 32);
    const half = quantizeIq4nl(x, layout);
    for (const [scale, round] of [['fp32', f32], ['bf16', BF16.round]] as const) {
      const q = quantizeIq4nl(x, layout, scale);
      expect(q.words).toEqual(half.words);
      expect(q.scaleType).toBe(scale);
      // the fp16 scale is the fp16 rounding of the same d as the fp32 one
      if (scale === 'fp32') expect(Array.from(q.scales, FP16.round)).toEqual(Array.from(half.scales));
      expect(Array.from(q.scales, round)).toEqual(Array.from(q.scales));
      expect(dequantizeIq4nl(q)).not.toEqual(dequantizeIq4nl(half));
    }
  });
});

describe('stochastic rounding onto an element grid (stochasticOnGrid)', () => {
  const e2m1 = elementGrid(E2M1);
  it('grids: E2M1 m 1 emin 0, E4M3 m 3 emin -6, E5M2 m 2 emin -14, MXINT8 fixed point 2^-6', () => {
    expect([e2m1, elementGrid(E4M3), elementGrid(E5M2), elementGrid(MXINT8_ELEMENT)]).toEqual([
      { m: 1, emin: 0 }, { m: 3, emin: -6 }, { m: 2, emin: -14 }, { m: 6, emin: 0 },
    ]);
  });
  it('gives one of the two neighbours, keeps representable values and zeros, and is a function of (seed, index)', () => {
    for (let i = 0; i < 2000; i++) {
      const y = f32(normal(rand) * 3);
      if (Math.abs(y) >= 8) continue; // past 8 the grid steps by 4
      const r = stochasticOnGrid(y, e2m1, 5, i);
      const lo = E2M1.values.filter((v) => v <= Math.abs(y)).at(-1) ?? 0;
      const hi = [...E2M1.values, 8].find((v) => v >= Math.abs(y)) as number; // 8: the grid goes on above max 6
      expect([lo, hi]).toContain(Math.abs(r));
      const negative = (v: number) => v < 0 || Object.is(v, -0);
      expect(negative(r)).toBe(negative(y));
      expect(stochasticOnGrid(y, e2m1, 5, i)).toBe(r);
    }
    for (const v of [0.5, -1.5, 3, 6, 0.25]) expect(stochasticOnGrid(v, { m: 1, emin: -1 }, 1, 7)).toBe(v); // 0.25: a subnormal of that grid
    expect(Object.is(stochasticOnGrid(-0, e2m1, 1, 1), -0)).toBe(true);
    const a = Array.from({ length: 64 }, (_, i) => stochasticOnGrid(1.25, e2m1, 1, i));
    const b = Array.from({ length: 64 }, (_, i) => stochasticOnGrid(1.25, e2m1, 2, i));
    expect(a).not.toEqual(b);
  });
  it('is unbiased: the mean of 2^16 roundings of 1.3 (E2M1: 1 or 1.5) is 1.3 within 4 standard errors', () => {
    const n = 1 << 16, y = f32(1.3);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += stochasticOnGrid(y, e2m1, 99, i);
    const p = (y - 1) / 0.5, se = 0.5 * Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(sum / n - y)).toBeLessThan(4 * se);
  });
  it('MXINT8 (step 1/64) and an E4M3 subnormal (step 2^-9) round between their neighbours', () => {
    const mxint = elementGrid(MXINT8_ELEMENT);
    const ups = Array.from({ length: 4000 }, (_, i) => stochasticOnGrid(0.5 + 0.25 / 64, mxint, 3, i));
    expect(new Set(ups)).toEqual(new Set([0.5, 0.5 + 1 / 64]));
    expect(ups.filter((v) => v > 0.5).length / 4000).toBeCloseTo(0.25, 1);
    const sub = Array.from({ length: 1000 }, (_, i) => stochasticOnGrid(2 ** -10, elementGrid(E4M3), 4, i));
    expect(new Set(sub)).toEqual(new Set([0, 2 ** -9]));
  });
});

describe('scaled FP and MX with options', () => {
  const layout = groupLayout(8, 256, 'block', 32);
  it('nearest and no clip (explicit or absent) are the formats as defined', () => {
    const plain = quantizeScaledFp(x, layout, E4M3);
    expect(quantizeScaledFp(x, layout, E4M3, { rounding: 'nearest', clip: { kind: 'none' } })).toEqual(plain);
    expect(quantizeMx(x, layout, MX_ELEMENTS.mxfp4, {})).toEqual(quantizeMx(x, layout, MX_ELEMENTS.mxfp4));
  });
  it('stochastic rounding changes codes only to the neighbour of the nearest code, for about the expected share of elements', () => {
    const options: ElementOptions = { rounding: 'stochastic', seed: 11 };
    const near = quantizeMx(x, layout, MX_ELEMENTS.mxfp4), sr = quantizeMx(x, layout, MX_ELEMENTS.mxfp4, options);
    expect(sr.scales).toEqual(near.scales);
    const a = unpackCodes(near.words, 4, x.length), b = unpackCodes(sr.words, 4, x.length);
    let changed = 0;
    for (let i = 0; i < x.length; i++) {
      if (a[i] === b[i]) continue;
      changed++;
      const va = E2M1.decode(a[i]), vb = E2M1.decode(b[i]);
      const between = E2M1.values.filter((v) => v > Math.min(Math.abs(va), Math.abs(vb)) && v < Math.max(Math.abs(va), Math.abs(vb)));
      expect(between, `element ${i}: ${va} -> ${vb} skips a level`).toEqual([]);
    }
    expect(changed / x.length).toBeGreaterThan(0.05); // a quarter of the distance on average: far from 0
    expect(changed / x.length).toBeLessThan(0.5);
  });
  it('a percentile clip caps every group absmax at the tensor percentile (scaled FP: the scale; MX: the exponent)', () => {
    const t = percentileAbs(x, 99);
    const q = quantizeScaledFp(x, layout, E4M3, { clip: { kind: 'percentile', p: 99 } });
    for (let g = 0; g < layout.groupCount; g++) {
      expect(q.scales[g]).toBe(f32(Math.min(absMaxOf(x, groupIndices(layout, g)), t) / 448));
    }
    const m = quantizeMx(x, layout, MX_ELEMENTS.mxfp8_e4m3, { clip: { kind: 'percentile', p: 90 } });
    const plain = quantizeMx(x, layout, MX_ELEMENTS.mxfp8_e4m3);
    expect(m.scales.every((c, g) => c <= plain.scales[g])).toBe(true);
    expect(m.scales.some((c, g) => c < plain.scales[g])).toBe(true);
  });
});

describe('which formats take which options', () => {
  it('scale: the absmax codebooks only; rounding, seed and clip: the FP elements and MX only', () => {
    expect(SCALE_OPTION_FORMATS).toEqual(['nf4', 'fp4-bnb', 'nf3', 'nf2', 'iq4_nl']);
    expect(ELEMENT_OPTION_FORMATS).toEqual(['fp8-e4m3', 'fp8-e5m2', 'fp6-e3m2', 'fp6-e2m3', 'fp4-e2m1', ...Object.keys(MX_ELEMENTS)]);
    expect(formatOptionsProblem('nf4', { scale: 'fp16' })).toBeNull();
    expect(formatOptionsProblem('nf4-dq', { scale: 'fp16' })).toMatch(/no scale storage choice/);
    expect(formatOptionsProblem('mxfp4', { scale: 'bf16' })).toMatch(/no scale storage choice/);
    expect(formatOptionsProblem('nf4', { rounding: 'stochastic' })).toMatch(/no rounding or clipping/);
    expect(formatOptionsProblem('mxfp4', { rounding: 'stochastic', seed: 3, clip: { kind: 'percentile', p: 99.5 } })).toBeNull();
    expect(formatOptionsProblem('mxfp4', { clip: { kind: 'percentile', p: 50 } })).toMatch(/\[90, 100\]/);
    expect(formatOptionsProblem('fp8-e4m3', { seed: -1 })).toMatch(/u32/);
    expect(() => quantizeWith(x, groupLayout(8, 256, 'block', 64), { kind: 'format', id: 'q4_0', options: { scale: 'fp16' } })).toThrow(/no scale storage choice/);
  });
});
