// tests: quantizeWith runs every registry format and the integer quantizer consistently (levels, bits, layouts).
import { describe, expect, it } from 'vitest';
import { createRng, studentT } from '../../src/lib/rng';
import { bitsPerWeightOf, type FormatChoice, layoutFor, quantizeWith } from '../../src/quant/apply';
import { FORMATS } from '../../src/quant/formats/registry';
import { groupIndices } from '../../src/quant/groups';

const rows = 8, cols = 256; // a row of 256 holds one K-quant super-block
const rand = createRng(5);
const x = Float32Array.from({ length: rows * cols }, () => studentT(rand, 3) * 0.02);

const choices: [string, FormatChoice][] = [
  ...FORMATS.map((d): [string, FormatChoice] => [d.id, { kind: 'format', id: d.id }]),
  ['int4 sym', { kind: 'int', params: { bits: 4, symmetric: true } }],
  ['int3 asym', { kind: 'int', params: { bits: 3, symmetric: false } }],
  ['typed codebook (absmax)', { kind: 'codebook', levels: [-1, -0.3, 0, 0.3, 1], scaling: 'absmax' }],
  ['typed codebook (raw)', { kind: 'codebook', levels: [-0.05, -0.01, 0, 0.01, 0.05], scaling: 'raw' }],
];

describe('quantizeWith', () => {
  for (const [name, choice] of choices) {
    it(`${name}: every dequantized value is one of its group's levels`, () => {
      const layout = layoutFor(choice, rows, cols, 'block', 32);
      const q = quantizeWith(x, layout, choice);
      expect(q.xhat).toHaveLength(x.length);
      expect(q.groupScales).toHaveLength(layout.groupCount);
      for (let g = 0; g < layout.groupCount; g += 7) {
        const levels = new Set(q.levels(g));
        for (const i of groupIndices(layout, g)) expect(levels.has(q.xhat[i]), `${name} group ${g} value ${q.xhat[i]}`).toBe(true);
      }
      const err = x.reduce((s, v, i) => s + (v - q.xhat[i]) ** 2, 0), sig = x.reduce((s, v) => s + v * v, 0);
      // A sanity floor, not a benchmark: 8-bit formats stay above 25 dB on this Student-t data, 2-bit
      // ones above 3 dB, and 1-bit binary (sign × mean|x|, ~2.6 dB here) above 1 dB.
      const bpw = bitsPerWeightOf(choice, x.length, layout.groupCount);
      expect(10 * Math.log10(sig / err)).toBeGreaterThan(bpw >= 8 ? 25 : bpw >= 2 ? 3 : 1);
    });
  }

  it('rejects a ggml format on rows that are not a multiple of its block, saying why', () => {
    const choice: FormatChoice = { kind: 'format', id: 'q4_k' };
    expect(() => quantizeWith(new Float32Array(4 * 96), layoutFor(choice, 4, 96, 'block', 32), choice)).toThrow(/256/);
  });

  it('fixes the block of MX (32), NVFP4 (16) and IQ4_NL (32) whatever the recipe asks', () => {
    expect(layoutFor({ kind: 'format', id: 'mxfp4' }, rows, cols, 'tensor', 0).groupSize).toBe(32);
    expect(layoutFor({ kind: 'format', id: 'nvfp4' }, rows, cols, 'row', 0).groupSize).toBe(16);
    expect(layoutFor({ kind: 'format', id: 'iq4_nl' }, rows, cols, 'block', 64).groupSize).toBe(32);
    expect(layoutFor({ kind: 'format', id: 'nf4' }, rows, cols, 'block', 64).groupSize).toBe(64);
  });

  it('counts bits honestly: MXFP4 4.25, NF4 block 32 5.0, FP8 per-row 8 + 32/256', () => {
    const bpw = (choice: FormatChoice, kind: 'block' | 'row', block: number) => bitsPerWeightOf(choice, x.length, layoutFor(choice, rows, cols, kind, block).groupCount);
    expect(bpw({ kind: 'format', id: 'mxfp4' }, 'block', 0)).toBe(4.25);
    expect(bpw({ kind: 'format', id: 'nf4' }, 'block', 32)).toBe(4 + 32 / 32);
    expect(bpw({ kind: 'format', id: 'fp8-e4m3' }, 'row', 0)).toBeCloseTo(8 + 32 / 256, 12);
  });
});
