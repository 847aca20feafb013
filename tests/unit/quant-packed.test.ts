// tests: packed linear weights dequantize exactly as quantizeWith / ggml do for every packable format, and the reference matmul meets its error bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng, studentT } from '../../src/lib/rng';
import { type FormatChoice, layoutFor, quantizeWith } from '../../src/quant/apply';
import { FORMATS, GGML_TYPE_OF } from '../../src/quant/formats/registry';
import { ggmlDequantizeTensor, ggmlQuantizeTensor } from '../../src/quant/ggml';
import type { GroupKind } from '../../src/quant/groups';
import { INT_MODES, intFormatProblem, type IntFormatParams } from '../../src/quant/int';
import { packCodes, unpackCode } from '../../src/quant/pack';
import { packGgml } from '../../src/quant/packed/fromGgml';
import { packWeights } from '../../src/quant/packed/fromFormats';
import { absProducts, gammaF32, matmulPackedReference } from '../../src/quant/packed/matmul';
import { checkPacked, chunksPerRow, dequantizePacked, packDense, packRows, type PackedWeights } from '../../src/quant/packed/weights';
import { SCALE_ENCODINGS } from '../../src/quant/scaleEncoding';

/**
 * Student-t weights with the awkward rows mixed in: every 7th row all zero, every 11th constant,
 * every 5th shifted positive (asym grids without 0, negative float zero points).
 */
function weights(n: number, k: number, seed: number): Float32Array {
  const rand = createRng(seed);
  const w = Float32Array.from({ length: n * k }, () => studentT(rand, 3) * 0.05);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const i = r * k + c;
      if (r % 7 === 2) w[i] = 0;
      else if (r % 11 === 3) w[i] = 0.125;
      else if (r % 5 === 1) w[i] = Math.fround(Math.abs(w[i]) + 0.3);
    }
  }
  return w;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Packs and checks that dequantizePacked gives quantizeWith's x̂, bit for bit (signs of zero included). */
function expectExact(w: Float32Array, n: number, k: number, choice: FormatChoice, kind: GroupKind, block: number): PackedWeights {
  const p = packWeights(w, n, k, choice, kind, block);
  checkPacked(p);
  const want = quantizeWith(w, layoutFor(choice, n, k, kind, block), choice).xhat;
  expect(bits(dequantizePacked(p)), `${JSON.stringify(choice)} ${n}×${k} ${kind} ${block}`).toEqual(bits(want));
  return p;
}

// Odd shapes: k not a multiple of 32 (a padded last chunk) nor of the block (a tail group).
const LAYOUTS: [number, number, GroupKind, number][] = [
  [23, 45, 'block', 16], [12, 100, 'block', 64], [13, 33, 'row', 0], [9, 70, 'column', 0], [16, 37, 'tensor', 0], [3, 5, 'block', 128],
];

const INT_FORMATS: IntFormatParams[] = [];
for (let b = 1; b <= 8; b++) {
  for (const mode of INT_MODES) {
    for (const scale of SCALE_ENCODINGS) {
      const f: IntFormatParams = { bits: b, mode, scale };
      if (intFormatProblem(f) === null) INT_FORMATS.push(f);
    }
  }
}

describe('packWeights: integer formats dequantize exactly as quantizeInt', () => {
  it.each(LAYOUTS)('every width, mode and scale encoding on %i×%i %s %i', (n, k, kind, block) => {
    const w = weights(n, k, n * 1000 + k);
    for (const params of INT_FORMATS) {
      const p = expectExact(w, n, k, { kind: 'int', params }, kind, block);
      expect(p.mode).toBe('affine');
      expect(p.bits).toBe(params.bits);
    }
  });

  it('stochastic rounding and both clips only change the codes and scales, not the representation', () => {
    const w = weights(21, 77, 3);
    for (const extra of [{ rounding: 'stochastic', seed: 9 }, { clip: { kind: 'mse' } }, { clip: { kind: 'percentile', p: 99 } }] as const) {
      for (const mode of INT_MODES) expectExact(w, 21, 77, { kind: 'int', params: { bits: 3, mode, scale: 'fp16', ...extra } }, 'block', 32);
    }
  });
});

const PACKABLE = FORMATS.filter((d) => d.family !== 'ggml' && d.id !== 'nupes-4' && d.id !== 'ptqtp');

describe('packWeights: registry formats dequantize exactly as quantizeWith', () => {
  it.each(LAYOUTS)('FP/MX/NVFP4 elements, codebooks, IQ4_NL and the low-bit methods on %i×%i %s %i', (n, k, kind, block) => {
    const w = weights(n, k, 7 * n + k);
    for (const d of PACKABLE) expectExact(w, n, k, { kind: 'format', id: d.id }, kind, block);
  });

  it('typed codebooks, raw and absmax, with a level count that is not a power of two', () => {
    const w = weights(10, 50, 11);
    expectExact(w, 10, 50, { kind: 'codebook', levels: [-1, -0.3, 0, 0.3, 1], scaling: 'absmax' }, 'block', 16);
    expectExact(w, 10, 50, { kind: 'codebook', levels: [-0.05, -0.01, 0, 0.01, 0.05], scaling: 'raw' }, 'row', 0);
  });

  it('every format family gets the mode its definition needs', () => {
    const w = weights(4, 64, 1);
    const modeOf = (id: string) => packWeights(w, 4, 64, { kind: 'format', id }, 'block', 32).mode;
    expect(['fp8-e4m3', 'mxfp4', 'mxint8', 'nvfp4', 'nf4', 'iq4_nl', 'binary', 'log2-4'].map(modeOf)).toEqual(Array(8).fill('table'));
    expect(['ternary-bitnet', 'q8_0', 'q4_0', 'q5_0'].map(modeOf)).toEqual(Array(4).fill('affine'));
    expect(['q4_1', 'q5_1'].map(modeOf)).toEqual(['scale-offset', 'scale-offset']);
  });

  it('refuses formats without a code-and-scale form, saying what to do', () => {
    const w = weights(4, 64, 1);
    for (const id of ['nupes-4', 'ptqtp']) {
      expect(() => packWeights(w, 4, 64, { kind: 'format', id }, 'block', 32)).toThrow(/no packed .* fp32 path/);
    }
  });
});

describe('packGgml: ggml blocks dequantize exactly as ggml', () => {
  const types = Object.values(GGML_TYPE_OF);
  it.each(types)('%s from quantizeWith and from raw block bytes', (type) => {
    const k = type.endsWith('K') ? 512 : 96, n = 9;
    const w = weights(n, k, k + n);
    const id = Object.keys(GGML_TYPE_OF).find((key) => GGML_TYPE_OF[key] === type) as string;
    const p = expectExact(w, n, k, { kind: 'format', id }, 'block', 32);
    expect(p.groupSize).toBe(type === 'Q6_K' ? 16 : 32);
    // Arbitrary block bytes (every scale, min and sub-scale pattern), not just what the quantizer writes;
    // random fp16 scales are kept finite by clearing their exponent's top bit.
    const rand = createRng(k);
    const bytes = ggmlQuantizeTensor(type, w, n, k).map(() => Math.floor(rand() * 256));
    const halves = { Q8_0: [[34, 0]], Q4_0: [[18, 0]], Q5_0: [[22, 0]], Q4_1: [[20, 0], [20, 2]], Q5_1: [[24, 0], [24, 2]], Q4_K: [[144, 0], [144, 2]], Q6_K: [[210, 208]] }[type];
    for (const [size, off] of halves) for (let o = off; o < bytes.length; o += size) bytes[o + 1] &= 0xbf;
    const q = packGgml(type, bytes, n, k);
    checkPacked(q);
    expect(bits(dequantizePacked(q))).toEqual(bits(ggmlDequantizeTensor(type, bytes, n, k)));
  });

  it('says when the bytes are truncated', () => {
    expect(() => packGgml('Q4_0', new Uint8Array(18 * 3), 2, 64)).toThrow(/truncated/);
  });
});

describe('packed layout', () => {
  it('rows are word-aligned and padded to 32 codes: the same stream as packing the padded code matrix', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 100 }), fc.nat(),
      (b, n, k, seed) => {
        const rand = createRng(seed);
        const codes = Array.from({ length: n * k }, () => Math.floor(rand() * (1 << b)));
        const packed = packRows(codes, n, k, b);
        const width = chunksPerRow(k) * 32;
        const padded = new Array(n * width).fill(0);
        codes.forEach((c, i) => { padded[Math.floor(i / k) * width + (i % k)] = c; });
        expect(Array.from(packed)).toEqual(Array.from(packCodes(padded, b)));
        expect(packed.length).toBe(n * chunksPerRow(k) * b);
        for (let i = 0; i < n * k; i += 7) expect(unpackCode(packed, b, Math.floor(i / k) * width + (i % k))).toBe(codes[i]);
      },
    ), { numRuns: 200 });
  });

  it('the fp32 path holds W itself, bit for bit (negative zeros and subnormals included)', () => {
    const w = weights(5, 41, 2);
    w[3] = -0; w[4] = 1e-40; w[5] = -3e-39;
    const p = packDense(w, 5, 41);
    checkPacked(p);
    expect(bits(dequantizePacked(p))).toEqual(bits(w));
  });

  it('checkPacked names a broken invariant', () => {
    const p = packWeights(weights(4, 40, 1), 4, 40, { kind: 'int', params: { bits: 4 } }, 'block', 16);
    expect(() => checkPacked({ ...p, scales: p.scales.subarray(1) })).toThrow(/scales for 12 groups/);
    expect(() => checkPacked({ ...p, codes: p.codes.subarray(1) })).toThrow(/code words/);
  });
});

describe('matmulPackedReference', () => {
  // y = x·Ŵᵀ in recursive f32 summation is within γ_k · Σ|x||ŵ| of the exact product (Higham §3.1);
  // the exact product of f32 inputs is computed here in f64 (k ≤ 300 products of 24-bit significands:
  // its own error, ≤ k·2^-53 relative, is far below the bound and is added to it).
  const cases: [string, FormatChoice, GroupKind, number, number][] = [
    ['int3 asym-float', { kind: 'int', params: { bits: 3, mode: 'asym-float' } }, 'block', 64, 200],
    ['nvfp4', { kind: 'format', id: 'nvfp4' }, 'block', 16, 75],
    ['q4_k', { kind: 'format', id: 'q4_k' }, 'block', 32, 256],
    ['nf4 column', { kind: 'format', id: 'nf4' }, 'column', 0, 33],
  ];
  it.each(cases)('%s: within γ_k·Σ|x||ŵ| of the exact product', (_, choice, kind, block, k) => {
    const n = 11, m = 5;
    const p = packWeights(weights(n, k, k), n, k, choice, kind, block);
    const rand = createRng(k + 1);
    const x = Float32Array.from({ length: m * k }, () => studentT(rand, 4));
    const y = matmulPackedReference(x, m, p);
    const w = dequantizePacked(p);
    const scale = absProducts(x, m, w, n, k);
    for (let i = 0; i < m; i++) {
      for (let r = 0; r < n; r++) {
        let exact = 0;
        for (let c = 0; c < k; c++) exact += x[i * k + c] * w[r * k + c];
        const bound = (gammaF32(k) + k * 2 ** -53) * scale[i * n + r];
        expect(Math.abs(y[i * n + r] - exact)).toBeLessThanOrEqual(bound);
      }
    }
  });

});
