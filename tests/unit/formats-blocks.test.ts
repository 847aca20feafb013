// tests: shared-scale block formats (MX, NVFP4, absmax codebooks + double quant, IQ4_NL) and the format registry.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { groupLayout } from '../../src/quant/groups';
import { unpackCodes } from '../../src/quant/pack';
import {
  absmaxBitsPerWeight, dequantizeAbsmax, doubleDequantize, doubleQuantize, dynamicMap, dynamicQuantize, quantizeAbsmax,
} from '../../src/quant/formats/absmax';
import { NF4 } from '../../src/quant/formats/codebooks';
import { E4M3 } from '../../src/quant/formats/fp';
import { dequantizeIq4nl, iq4nlBitsPerWeight, quantizeIq4nl } from '../../src/quant/formats/iq4nl';
import { MX_ELEMENTS, dequantizeMx, mxBitsPerWeight, mxScaleExp, quantizeMx } from '../../src/quant/formats/mx';
import { dequantizeNvfp4, nvfp4BitsPerWeight, quantizeNvfp4 } from '../../src/quant/formats/nvfp4';
import { FORMATS, formatById } from '../../src/quant/formats/registry';

const block = (head: number[], n: number): Float32Array => { const x = new Float32Array(n); x.set(head); return x; };

describe('MX (OCP MX v1.0 §6.3)', () => {
  test('MXFP4: scale 2^(floor(log2 amax) - 2), saturation above 6, RNE', () => {
    const x = block([7, 2.5, -0.75, 0.2, 5], 32);
    const q = quantizeMx(x, groupLayout(1, 32, 'block', 32), MX_ELEMENTS.mxfp4);
    expect(q.scales[0]).toBe(127); // amax 7: floor(log2 7) = 2 = emax, X = 1
    expect([...unpackCodes(q.words, 4, 5)]).toEqual([0x7, 0x4, 0xa, 0x0, 0x6]);
    expect([...dequantizeMx(q).slice(0, 5)]).toEqual([6, 2, -1, 0, 4]);
  });
  test('MXFP4: amax 12 -> X = 2; amax 0.3 -> X = 2^-4', () => {
    expect(mxScaleExp(12, MX_ELEMENTS.mxfp4)).toBe(1);
    expect(mxScaleExp(11.99, MX_ELEMENTS.mxfp4)).toBe(1);
    expect(mxScaleExp(0.3, MX_ELEMENTS.mxfp4)).toBe(-4);
    const q = quantizeMx(block([11, 0.3], 32), groupLayout(1, 32, 'block', 32), MX_ELEMENTS.mxfp4);
    expect([...dequantizeMx(q).slice(0, 2)]).toEqual([12, 0]); // 11/2 = 5.5 -> 6; 0.3/2 = 0.15 -> 0
  });
  test('MXFP8 E4M3: 500 saturates to 448; small block scale', () => {
    const l = groupLayout(1, 64, 'block', 32);
    const x = new Float32Array(64); x[0] = 500; x[1] = 3; x[32] = 0.001;
    const q = quantizeMx(x, l, MX_ELEMENTS.mxfp8_e4m3);
    expect([...q.scales]).toEqual([127, 127 - 18]); // floor(log2 0.001) = -10, minus emax 8
    const d = dequantizeMx(q);
    expect(d[0]).toBe(448);
    expect(d[1]).toBe(3);
    expect(d[32]).toBe(256 * 2 ** -18); // 0.001 * 2^18 = 262.1 -> 256
  });
  test('MXINT8: fixed point 2^-6, symmetric saturation, RNE', () => {
    const q = quantizeMx(block([1.99, -1, 0.5 / 64, 1.5 / 64, 1.5], 32), groupLayout(1, 32, 'block', 32), MX_ELEMENTS.mxint8);
    expect(q.scales[0]).toBe(127);
    expect([...unpackCodes(q.words, 8, 5)]).toEqual([127, 0xc0, 0, 2, 96]);
    expect(dequantizeMx(q)[0]).toBe(127 / 64);
    expect(MX_ELEMENTS.mxint8.decode(0x80)).toBe(-2);
  });
  test('zero block and E8M0 underflow clamp', () => {
    const x = new Float32Array(64); x[32] = Math.fround(2 ** -140);
    const q = quantizeMx(x, groupLayout(1, 64, 'block', 32), MX_ELEMENTS.mxfp4);
    expect([...q.scales]).toEqual([0, 0]); // 2^-127 for the zero block and the clamped one
    expect([...dequantizeMx(q)].every((v) => v === 0)).toBe(true);
  });
  test('bits per weight', () => {
    expect(mxBitsPerWeight(MX_ELEMENTS.mxfp4, 64, 2)).toBe(4.25);
    expect(mxBitsPerWeight(MX_ELEMENTS.mxfp6_e3m2, 64, 2)).toBe(6.25);
    expect(mxBitsPerWeight(MX_ELEMENTS.mxfp8_e5m2, 64, 2)).toBe(8.25);
    expect(mxBitsPerWeight(MX_ELEMENTS.mxint8, 64, 2)).toBe(8.25);
  });
  for (const [name, el] of Object.entries(MX_ELEMENTS)) {
    test(`${name}: error within half an element step (x scale) unless saturated`, () => {
      const grid = name === 'mxint8' ? Array.from({ length: 255 }, (_, k) => (k - 127) / 64) : (el as typeof E4M3).values;
      const data = fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }).map(Math.fround), { minLength: 32, maxLength: 32 });
      fc.assert(fc.property(data, (arr) => {
        const x = Float32Array.from(arr);
        const q = quantizeMx(x, groupLayout(1, 32, 'block', 32), el);
        const X = 2 ** (q.scales[0] - 127), d = dequantizeMx(q);
        return arr.every((v, i) => {
          const t = v / X, r = d[i] / X;
          if (Math.abs(t) >= el.max) return r === Math.sign(t) * el.max;
          const k = grid.findIndex((w) => w >= t);
          return Math.abs(t - r) <= (grid[k] - grid[Math.max(0, k - 1)]) / 2;
        });
      }), { seed: 7, numRuns: 200 });
    });
  }
});

describe('NVFP4', () => {
  test('two-level scale example by hand', () => {
    const x = new Float32Array(48);
    x.set([2688, 1000, -300]); // block 0: amax 2688 = tensor amax -> tensorScale 1, block scale 448
    x.set([1, 0.3], 16); // block 1: s = 1/6 -> E4M3 0.171875
    x.set([0.001], 32); // block 2: s = 0.000167 < 2^-6 -> 2^-6
    const q = quantizeNvfp4(x, groupLayout(1, 48, 'block', 16));
    expect(q.tensorScale).toBe(1);
    expect([...q.blockScales].map((c) => E4M3.decode(c))).toEqual([448, 0.171875, 2 ** -6]);
    const d = dequantizeNvfp4(q);
    expect([d[0], d[1], d[2]]).toEqual([2688, 896, -224]); // 6, 2, -0.5 times 448
    expect([d[16], d[17]]).toEqual([1.03125, 0.2578125]); // 5.82 -> 6, 1.745 -> 1.5
    expect(d[32]).toBe(0);
  });
  test('tensor scale = amax / 2688; all-zero tensor', () => {
    expect(quantizeNvfp4(block([5376], 16), groupLayout(1, 16, 'block', 16)).tensorScale).toBe(2);
    const z = quantizeNvfp4(new Float32Array(16), groupLayout(1, 16, 'block', 16));
    expect([...dequantizeNvfp4(z)].every((v) => v === 0)).toBe(true);
  });
  test('a tiny tensor (amax 1e-36 < 2688 · 2^-126) gets the smallest normal tensor scale instead of failing', () => {
    const q = quantizeNvfp4(block([1e-36], 16), groupLayout(1, 16, 'block', 16));
    expect(q.tensorScale).toBe(2 ** -126);
    expect(Number.isFinite(dequantizeNvfp4(q)[0])).toBe(true);
  });
  test('bits per weight: 4 + 8/16 + 32/n', () => {
    expect(nvfp4BitsPerWeight(1024, 64)).toBe(4 + 0.5 + 32 / 1024);
  });
});

describe('absmax codebooks (bitsandbytes)', () => {
  test('NF4 block: codes from x * (1/absmax), dequant level * absmax', () => {
    const x = block([2, -2, 1, 0, 0.0795802995562553], 64);
    const q = quantizeAbsmax(x, groupLayout(1, 64, 'block', 64), NF4);
    expect(q.scales[0]).toBe(2);
    expect([...unpackCodes(q.words, 4, 5)]).toEqual([15, 0, 12, 7, 7]); // 0.5 -> 12; 0.0398 is the tie -> lower
    expect(dequantizeAbsmax(q)[2]).toBe(Math.fround(0.44070982933044434 * 2));
  });
  test('zero block decodes to zero; fp16 scale storage', () => {
    const q = quantizeAbsmax(new Float32Array(64), groupLayout(1, 64, 'block', 64), NF4);
    expect([...dequantizeAbsmax(q)].every((v) => v === 0)).toBe(true);
    const h = quantizeAbsmax(block([0.1], 64), groupLayout(1, 64, 'block', 64), NF4, 'fp16');
    expect(h.scales[0]).toBe(0.0999755859375);
  });
  test('dynamic map: 256 distinct sorted values, 0 and 1 included; exact values quantize to themselves', () => {
    const m = dynamicMap();
    expect(m.length).toBe(256);
    expect(new Set(m).size).toBe(256);
    expect(m[255]).toBe(1);
    expect(m[0]).toBe(-m[254]); // the negative side has no -1
    expect(m.includes(0)).toBe(true);
    m.forEach((v) => expect(m[dynamicQuantize(m, v)]).toBe(v));
  });
  test('double quant reconstructs scales within half a map step', () => {
    const scales = Float32Array.from({ length: 600 }, (_, i) => Math.fround(0.5 + ((i * 7919) % 1000) / 1000));
    const dq = doubleQuantize(scales);
    expect(dq.absmax2.length).toBe(3);
    const r = doubleDequantize(dq);
    scales.forEach((s, i) => expect(Math.abs(r[i] - s)).toBeLessThanOrEqual(0.0071 * dq.absmax2[i >> 8] + 1e-7));
  });
  test('bits per weight: NF4 4.5, NF4 + double quant 4 + 8/64 + 32/(64*256) + 32/n', () => {
    expect(absmaxBitsPerWeight(4, 'fp32', false, 4096, 64)).toBe(4.5);
    const n = 64 * 256 * 4;
    expect(absmaxBitsPerWeight(4, 'fp32', true, n, n / 64)).toBe(4 + 8 / 64 + 32 / (64 * 256) + 32 / n);
    expect(absmaxBitsPerWeight(4, 'fp32', true, n, n / 64)).toBeCloseTo(4.127, 3);
  });
});

describe('IQ4_NL (ggml reference quantizer)', () => {
  const kv = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];
  test('values on the grid come back exactly, with either sign of scale', () => {
    for (const sign of [1, -1]) {
      const x = Float32Array.from({ length: 32 }, (_, j) => sign * kv[j % 16] * 0.5);
      const q = quantizeIq4nl(x, groupLayout(1, 32, 'block', 32));
      expect(q.scales[0]).toBe(sign * 0.5);
      expect([...dequantizeIq4nl(q)]).toEqual([...x]);
    }
  });
  test('bits per weight 4.5 at block 32', () => expect(iq4nlBitsPerWeight(64, 2)).toBe(4.5));
});

describe('registry', () => {
  test('ids unique, lookup, frozen, bpw by hand', () => {
    expect(new Set(FORMATS.map((f) => f.id)).size).toBe(FORMATS.length);
    expect(Object.isFrozen(FORMATS)).toBe(true);
    expect(formatById('mxfp4')?.bpw(1024, 32)).toBe(4.25);
    expect(formatById('nf4')?.bpw(1024, 16)).toBe(4.5);
    expect(formatById('nvfp4')?.bpw(1024, 64)).toBe(4.53125);
    expect(formatById('fp8-e4m3')?.bpw(10, 0)).toBe(8);
    expect(formatById('nope')).toBeUndefined();
    for (const f of FORMATS) expect(f.explanation.length).toBeGreaterThan(0);
  });
});
