// tests (quant layer): ggml Q4_K / Q6_K: hand-built super-blocks decoded by the dequantize_row formulas, code invariants, error sanity.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dequantizeRowQ4_0, dequantizeRowQ4_K, dequantizeRowQ6_K, getScaleMinK4, quantizeRowQ4_0,
  quantizeRowQ4_K, quantizeRowQ6_K,
} from '../../src/quant/ggml';
import { readHalf } from '../../src/quant/ggml/common';
import { createRng, normal } from '../../src/lib/rng';
import { packScalesK4 } from '../support/ggmlBlocks';

const gaussian = (n: number, seed: number, sigma = 1): Float32Array => {
  const r = createRng(seed);
  return Float32Array.from({ length: n }, () => sigma * normal(r));
};
const mse = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / a.length;

describe('Q4_K super-block layout', () => {
  it('get_scale_min_k4 on literal bytes: 6-bit fields split across the 12 bytes', () => {
    // sub-block 4: scale 53 = 0b11_0101, min 42 = 0b10_1010
    const q = new Uint8Array(12);
    q[0] = 0xc0 | 7; // scale 0 = 7, top bits of scale 4 = 3
    q[4] = 0x80 | 9; // min 0 = 9, top bits of min 4 = 2
    q[8] = 0xa5; // low nibbles: scale 4 -> 5, min 4 -> 10
    expect(getScaleMinK4(0, q, 0)).toEqual([7, 9]);
    expect(getScaleMinK4(4, q, 0)).toEqual([53, 42]);
    expect(Array.from(packScalesK4([7, 0, 0, 0, 53, 0, 0, 0], [9, 0, 0, 0, 42, 0, 0, 0]))).toEqual(Array.from(q));
  });

  it('dequantize_row_q4_K: y = d * sc[j] * q - dmin * m[j], low nibbles then high nibbles per 32-byte run', () => {
    const sc = [1, 2, 3, 63, 17, 33, 48, 5], m = [0, 1, 62, 4, 16, 32, 63, 7];
    const r = createRng(7);
    const codes = Array.from({ length: 256 }, () => Math.floor(r() * 16));
    const bytes = new Uint8Array(144);
    bytes.set([0x00, 0x38, 0x00, 0x34], 0); // d = 0.5, dmin = 0.25
    bytes.set(packScalesK4(sc, m), 4);
    for (let run = 0; run < 4; run++) {
      for (let l = 0; l < 32; l++) bytes[16 + 32 * run + l] = codes[64 * run + l] | (codes[64 * run + 32 + l] << 4);
    }
    const y = dequantizeRowQ4_K(bytes, 256);
    for (let e = 0; e < 256; e++) {
      const j = Math.floor(e / 32);
      expect(y[e]).toBe(0.5 * sc[j] * codes[e] - 0.25 * m[j]); // all exact in f32
    }
    expect(y[0]).toBe(0.5 * codes[0]);
    expect(y[255]).toBe(0.5 * 5 * codes[255] - 0.25 * 7);
  });
});

describe('Q6_K super-block layout', () => {
  it('dequantize_row_q6_K: y = d * scales[e/16] * (code - 32), ql/qh split as documented', () => {
    const r = createRng(11);
    const codes = Array.from({ length: 256 }, () => Math.floor(r() * 64));
    const scales = [-128, 127, -1, 1, 0, 64, -64, 3, 5, -7, 100, -100, 2, -2, 9, 33];
    const bytes = new Uint8Array(210);
    for (let h = 0; h < 2; h++) {
      for (let l = 0; l < 32; l++) {
        const c = [0, 32, 64, 96].map((k) => codes[128 * h + k + l]);
        bytes[64 * h + l] = (c[0] & 15) | ((c[2] & 15) << 4);
        bytes[64 * h + 32 + l] = (c[1] & 15) | ((c[3] & 15) << 4);
        bytes[128 + 32 * h + l] = (c[0] >> 4) | ((c[1] >> 4) << 2) | ((c[2] >> 4) << 4) | ((c[3] >> 4) << 6);
      }
    }
    scales.forEach((s, k) => { bytes[192 + k] = s & 0xff; });
    bytes[208] = 0x00; bytes[209] = 0x30; // d = 0.125
    const y = dequantizeRowQ6_K(bytes, 256);
    for (let e = 0; e < 256; e++) expect(y[e]).toBe(0.125 * scales[e >> 4] * (codes[e] - 32));
  });

  it('an all-zero super-block is 210 zero bytes', () => {
    expect(Array.from(quantizeRowQ6_K(new Float32Array(256))).every((b) => b === 0)).toBe(true);
  });
});

describe('K-quant codes agree with their stored scales', () => {
  const data = fc.tuple(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(1e-3, 0.05, 1, 30))
    .map(([seed, sigma]) => gaussian(512, seed, sigma));
  const RUNS = { seed: 31337, numRuns: 25 };

  it('Q4_K: inside a sub-block\'s range, |x - y| <= d*sc/2 (codes are nearest to the fp16 grid)', () => {
    fc.assert(fc.property(data, (x) => {
      const b = quantizeRowQ4_K(x), y = dequantizeRowQ4_K(b, 512);
      for (let e = 0; e < 512; e++) {
        const o = 144 * (e >> 8), [sc, m] = getScaleMinK4((e >> 5) & 7, b, o + 4);
        const d = Math.fround(readHalf(b, o) * sc), dm = Math.fround(readHalf(b, o + 2) * m);
        const t = (x[e] + dm) / d;
        if (d > 0 && t >= -0.5 && t <= 15.5) expect(Math.abs(x[e] - y[e])).toBeLessThanOrEqual(d / 2 + 4e-7 * (Math.abs(x[e]) + dm));
      }
    }), RUNS);
  });

  it('Q6_K: inside a sub-block\'s range, |x - y| <= |d*scale|/2', () => {
    fc.assert(fc.property(data, (x) => {
      const b = quantizeRowQ6_K(x), y = dequantizeRowQ6_K(b, 512);
      for (let e = 0; e < 512; e++) {
        const o = 210 * (e >> 8);
        const d = Math.fround(readHalf(b, o + 208) * ((b[o + 192 + ((e >> 4) & 15)] << 24) >> 24));
        const t = x[e] / d;
        if (d !== 0 && t >= -32.5 && t <= 31.5) expect(Math.abs(x[e] - y[e])).toBeLessThanOrEqual(Math.abs(d) / 2 + 4e-7 * Math.abs(x[e]));
      }
    }), RUNS);
  });
});

describe('K-quant error on Gaussian data (sanity, 64 super-blocks)', () => {
  const x = gaussian(256 * 64, 2024);

  it('Q4_K beats Q4_0 at the same 4.5 bits per weight', () => {
    // Both spend 4.5 bpw; Q4_K adds a min per 32 (fits the block's range, not a symmetric one) and
    // searches each sub-block's scale, paying for it with 6-bit sub-scales under an fp16 super-scale.
    const e4k = mse(x, dequantizeRowQ4_K(quantizeRowQ4_K(x), x.length));
    const e40 = mse(x, dequantizeRowQ4_0(quantizeRowQ4_0(x), x.length));
    expect(e4k).toBeLessThan(0.8 * e40);
  });

  it('Q6_K beats naive 6-bit absmax round-to-nearest per 16 with exact f32 scales', () => {
    // The naive reference spends more (6 + 32/16 = 8 bpw); Q6_K's scale search (make_qx_quants
    // weighted by x^2, then nearest codes against the stored scale) still lands lower.
    const naive = new Float32Array(x.length);
    for (let g = 0; g < x.length; g += 16) {
      let amax = 0;
      for (let i = g; i < g + 16; i++) amax = Math.max(amax, Math.abs(x[i]));
      const d = amax / 31;
      for (let i = g; i < g + 16; i++) naive[i] = d * Math.max(-32, Math.min(31, Math.round(x[i] / d)));
    }
    const e6k = mse(x, dequantizeRowQ6_K(quantizeRowQ6_K(x), x.length));
    expect(e6k).toBeLessThan(mse(x, naive));
  });
});
