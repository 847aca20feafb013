// tests (quant layer): ggml Q8_0/Q4_0/Q4_1/Q5_0/Q5_1: hand-built block bytes, tie rules, representable blocks, error bounds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GGML_FORMATS, type GgmlBlockType, dequantizeRowQ4_0, dequantizeRowQ4_1, dequantizeRowQ5_0, dequantizeRowQ5_1,
  dequantizeRowQ8_0, fp16BitsToFp32, fp32ToFp16Bits, ggmlRoundTrip, ggmlRowBytes, nearestInt, quantizeRowQ4_0,
  quantizeRowQ4_1, quantizeRowQ5_0, quantizeRowQ5_1, quantizeRowQ8_0,
} from '../../src/quant/ggml';
import { readHalf } from '../../src/quant/ggml/common';

const hex = (b: Uint8Array): string => Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
const le16 = (bits: number): number[] => [bits & 0xff, bits >> 8];
const f32s = (xs: number[]): Float32Array => Float32Array.from(xs);
const range = (n: number, f: (j: number) => number): number[] => Array.from({ length: n }, (_, j) => f(j));

/** A value exactly representable in fp16: an 11-bit integer mantissa times 2^e. */
const fp16Exact = (sign: boolean) => fc.tuple(fc.integer({ min: 1, max: 2047 }), fc.integer({ min: -20, max: 0 }))
  .map(([a, e]) => (sign ? -1 : 1) * a * 2 ** e);
const RUNS = { seed: 20240607, numRuns: 150 };

describe('fp16 scales and nearest_int as ggml computes them', () => {
  it('fp16 bits: round to nearest even, little-endian halves, overflow to inf, NaN 0x7E00', () => {
    expect(fp32ToFp16Bits(1)).toBe(0x3c00);
    expect(fp32ToFp16Bits(-2)).toBe(0xc000);
    expect(fp32ToFp16Bits(0.5)).toBe(0x3800);
    expect(fp32ToFp16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie: to even mantissa 0
    expect(fp32ToFp16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: to even mantissa 2
    expect(fp32ToFp16Bits(2 ** -24)).toBe(0x0001); // smallest subnormal kept
    expect(fp32ToFp16Bits(65519)).toBe(0x7bff); // rounds down to 65504
    expect(fp32ToFp16Bits(65520)).toBe(0x7c00); // ggml_compute_fp32_to_fp16 overflows to inf
    expect(fp32ToFp16Bits(-1e6)).toBe(0xfc00);
    expect(fp32ToFp16Bits(NaN)).toBe(0x7e00);
    expect(fp16BitsToFp32(0x3555)).toBe(0.333251953125);
  });

  it('nearest_int is round half to even (the 1.5 * 2^23 trick)', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, -3.5].map(nearestInt)).toEqual([0, 2, 2, 0, -2, -2, 2, -4]);
    expect(Object.is(nearestInt(-0.2), 0)).toBe(true);
  });
});

describe('Q8_0 block bytes', () => {
  it('d = amax/127 as fp16, codes roundf (ties away from zero), int8 two\'s complement', () => {
    // amax 127 -> d = 1 (0x3C00), id = 1: codes are x rounded with ties away from zero.
    const x = [127, 2.5, -2.5, 0.5, -0.5, 1.5, -1.5, 0.49999997, -127, 3.4999998, ...range(22, (j) => j - 11)];
    const b = quantizeRowQ8_0(f32s(x));
    expect(b.length).toBe(34);
    expect(Array.from(b.subarray(0, 2))).toEqual([0x00, 0x3c]);
    const codes = [127, 3, -3, 1, -1, 2, -2, 0, -127, 3, ...range(22, (j) => j - 11)];
    expect(Array.from(b.subarray(2))).toEqual(codes.map((c) => c & 0xff));
    expect(Array.from(dequantizeRowQ8_0(b, 32))).toEqual(codes);
  });

  it('the fp16-rounded d is what dequantizes (d = 1/127 is not an fp16 value)', () => {
    const x = f32s(range(32, (j) => (j === 0 ? 1 : 0)));
    const b = quantizeRowQ8_0(x);
    const dh = fp16BitsToFp32(b[0] | (b[1] << 8));
    expect(dh).not.toBe(Math.fround(1 / 127));
    expect(b[2]).toBe(127);
    expect(dequantizeRowQ8_0(b, 32)[0]).toBe(Math.fround(127 * dh));
  });
});

describe('Q4_0 block bytes', () => {
  it('signed max -4 -> d = 0.5; element j and j+16 share byte j (low nibble j)', () => {
    // codes: j for j < 16, 15 - (j - 16) for j >= 16; x = (code - 8) * 0.5.
    const codes = [...range(16, (j) => j), ...range(16, (j) => 15 - j)];
    const b = quantizeRowQ4_0(f32s(codes.map((c) => (c - 8) * 0.5)));
    expect(hex(b)).toBe('0038' + range(16, (j) => j | ((15 - j) << 4)).map((v) => v.toString(16).padStart(2, '0')).join(''));
    expect(hex(b)).toBe('0038f0e1d2c3b4a5968778695a4b3c2d1e0f');
    expect(Array.from(dequantizeRowQ4_0(b, 32))).toEqual(codes.map((c) => (c - 8) * 0.5));
  });

  it('a positive extreme gives negative d, the first extreme wins ties, the far end clips to code 15', () => {
    const x = new Float32Array(32);
    x[0] = 4; x[1] = -4; x[2] = -3.5; x[3] = 0.25; x[4] = -0.25; x[5] = 1.25; x[6] = -1.25;
    const b = quantizeRowQ4_0(x);
    expect(Array.from(b.subarray(0, 2))).toEqual([0x00, 0xb8]); // d = 4 / -8 = -0.5
    // id = -2: code = trunc(x * -2 + 8.5), halves go up: 0.25 -> -0.5+8.5 = 8, -0.25 -> 9, 1.25 -> 6, -1.25 -> 11.
    const lo = [0, 15, 15, 8, 9, 6, 11];
    lo.forEach((c, j) => expect(b[2 + j]).toBe(c | (8 << 4)));
    expect(dequantizeRowQ4_0(b, 32)[1]).toBe(-3.5); // -4 clipped to 7 * 0.5
  });

  it('an all-zero block stores d = 0 / -8 = -0 (fp16 0x8000, as ggml does) and code 8 everywhere', () => {
    expect(hex(quantizeRowQ4_0(new Float32Array(32)))).toBe('0080' + '88'.repeat(16));
  });
});

describe('Q4_1 block bytes', () => {
  it('min -1, max 14 -> d = 1, m = -1 (fp16 0xBC00), codes (x - min + 0.5) truncated', () => {
    const codes = [...range(16, (j) => j), ...range(16, (j) => 15 - j)];
    const x = codes.map((c) => c - 1);
    x[5] = 3.5; // (3.5 + 1) + 0.5 = 5.0 -> code 5: halves go up
    const b = quantizeRowQ4_1(f32s(x));
    expect(Array.from(b.subarray(0, 4))).toEqual([0x00, 0x3c, 0x00, 0xbc]);
    expect(Array.from(b.subarray(4))).toEqual(range(16, (j) => j | ((15 - j) << 4)));
    expect(dequantizeRowQ4_1(b, 32)[5]).toBe(4);
  });

  it('a constant block has d = 0, m = the value, codes 0', () => {
    expect(hex(quantizeRowQ4_1(f32s(range(32, () => 0.75))))).toBe('0000003a' + '00'.repeat(16)); // 0.75 = 0x3A00
  });
});

describe('Q5_0 / Q5_1 block bytes (qh bit j = bit 4 of element j)', () => {
  // A permutation of 0..31 so every code occurs; code 0 sits at j = 0 (the signed extreme for Q5_0).
  const codes = range(32, (j) => (7 * j) % 32);
  const expectedQs = range(16, (j) => (codes[j] & 15) | ((codes[j + 16] & 15) << 4));
  const expectedQh = codes.reduce((h, c, j) => h + (c >= 16 ? 2 ** j : 0), 0);

  it('Q5_0: max -4 -> d = 0.25 (0x3400), 5-bit codes split into qs nibbles and qh bits', () => {
    const b = quantizeRowQ5_0(f32s(codes.map((c) => (c - 16) * 0.25)));
    expect(b.length).toBe(22);
    expect(Array.from(b.subarray(0, 2))).toEqual([0x00, 0x34]);
    expect(Array.from(b.subarray(2, 6))).toEqual([0, 1, 2, 3].map((k) => Math.floor(expectedQh / 2 ** (8 * k)) & 0xff));
    expect(Array.from(b.subarray(6))).toEqual(expectedQs);
    expect(Array.from(dequantizeRowQ5_0(b, 32))).toEqual(codes.map((c) => (c - 16) * 0.25));
  });

  it('Q5_0: qh for codes 0..31 in order is 0xFFFF0000, stored little-endian', () => {
    const b = quantizeRowQ5_0(f32s(range(32, (j) => (j - 16) * 0.25)));
    expect(hex(b.subarray(2, 6))).toBe('0000ffff');
    expect(Array.from(b.subarray(6))).toEqual(range(16, (j) => j | (j << 4)));
  });

  it('Q5_1: min -2, max 29 -> d = 1, m = -2 (0xC000), layout d, m, qh, qs', () => {
    const b = quantizeRowQ5_1(f32s(codes.map((c) => c - 2)));
    expect(b.length).toBe(24);
    expect(Array.from(b.subarray(0, 4))).toEqual([0x00, 0x3c, 0x00, 0xc0]);
    expect(Array.from(b.subarray(4, 8))).toEqual([0, 1, 2, 3].map((k) => Math.floor(expectedQh / 2 ** (8 * k)) & 0xff));
    expect(Array.from(b.subarray(8))).toEqual(expectedQs);
    expect(Array.from(dequantizeRowQ5_1(b, 32))).toEqual(codes.map((c) => c - 2));
  });
});

describe('representable blocks are reproduced exactly, byte for byte', () => {
  const withCode = (lo: number, hi: number, must: number[]) => fc.array(fc.integer({ min: lo, max: hi }), { minLength: 32, maxLength: 32 })
    .chain((c) => fc.tuple(fc.constant(c), fc.shuffledSubarray(range(32, (j) => j), { minLength: must.length, maxLength: must.length })))
    .map(([c, at]) => { const out = [...c]; at.forEach((j, k) => { out[j] = must[k]; }); return out; });
  const nibbles = (c: number[]) => range(16, (j) => (c[j] & 15) | ((c[j + 16] & 15) << 4));

  it('Q8_0: x = k * d (d fp16, one |k| = 127)', () => {
    fc.assert(fc.property(withCode(-127, 127, [127]), fp16Exact(false), fc.boolean(), (k, d, neg) => {
      const codes = neg ? k.map((c) => 0 - c) : k; // 0 - c: no -0 inputs
      const x = f32s(codes.map((c) => c * d));
      const b = quantizeRowQ8_0(x);
      expect(Array.from(b)).toEqual([...le16(fp32ToFp16Bits(d)), ...codes.map((c) => c & 0xff)]);
      expect(dequantizeRowQ8_0(b, 32)).toEqual(x);
    }), RUNS);
  });

  it('Q4_0 / Q5_0: x = (code - mid) * d with code 0 present (d of either sign)', () => {
    fc.assert(fc.property(withCode(0, 15, [0]), withCode(0, 31, [0]), fp16Exact(false), fc.boolean(), (c4, c5, a, neg) => {
      const d = neg ? -a : a;
      const x4 = f32s(c4.map((c) => (c - 8) * d));
      expect(Array.from(quantizeRowQ4_0(x4))).toEqual([...le16(fp32ToFp16Bits(d)), ...nibbles(c4)]);
      expect(dequantizeRowQ4_0(quantizeRowQ4_0(x4), 32)).toEqual(x4);
      const x5 = f32s(c5.map((c) => (c - 16) * d));
      const b5 = quantizeRowQ5_0(x5);
      expect(Array.from(b5.subarray(6))).toEqual(nibbles(c5));
      expect(dequantizeRowQ5_0(b5, 32)).toEqual(x5);
    }), RUNS);
  });

  it('Q4_1 / Q5_1: x = m + code * d with codes 0 and max present (d, m on a common 2^e grid)', () => {
    const grid = fc.tuple(fc.integer({ min: 1, max: 2047 }), fc.integer({ min: -2047, max: 2047 }), fc.integer({ min: -14, max: 0 }));
    fc.assert(fc.property(withCode(0, 15, [0, 15]), withCode(0, 31, [0, 31]), grid, (c4, c5, [a, bm, e]) => {
      const d = a * 2 ** e, m = bm * 2 ** e;
      const x4 = f32s(c4.map((c) => m + c * d));
      const b4 = quantizeRowQ4_1(x4);
      expect(Array.from(b4)).toEqual([...le16(fp32ToFp16Bits(d)), ...le16(fp32ToFp16Bits(m)), ...nibbles(c4)]);
      expect(dequantizeRowQ4_1(b4, 32)).toEqual(x4);
      const x5 = f32s(c5.map((c) => m + c * d));
      expect(dequantizeRowQ5_1(quantizeRowQ5_1(x5), 32)).toEqual(x5);
    }), RUNS);
  });
});

describe('error bounds and idempotence on random data', () => {
  const block = fc.array(fc.float({ min: -1000, max: 1000, noNaN: true, noDefaultInfinity: true }), { minLength: 64, maxLength: 64 })
    .map((v) => Float32Array.from(v));
  /** |x - q(x)| per element against `bound(j)`, with f32 slack. */
  const within = (x: Float32Array, y: Float32Array, bound: (j: number) => number) => {
    for (let j = 0; j < x.length; j++) expect(Math.abs(x[j] - y[j])).toBeLessThanOrEqual(bound(j) * (1 + 1e-5) + 1e-30);
  };

  it('Q8_0 and Q4_0 / Q5_0: within half a step (+ the fp16 rounding of d), one step at the clipped end', () => {
    fc.assert(fc.property(block, (x) => {
      for (const [type, quant, deq, mid, bytes] of [
        ['Q8_0', quantizeRowQ8_0, dequantizeRowQ8_0, 127, 34], ['Q4_0', quantizeRowQ4_0, dequantizeRowQ4_0, 8, 18], ['Q5_0', quantizeRowQ5_0, dequantizeRowQ5_0, 16, 22],
      ] as const) {
        const b = quant(x), y = deq(b, 64);
        within(x, y, (j) => {
          const blk = Math.floor(j / 32), dh = Math.abs(readHalf(b, blk * bytes));
          let amax = 0;
          for (let i = 32 * blk; i < 32 * blk + 32; i++) amax = Math.max(amax, Math.abs(x[i]));
          const d = type === 'Q8_0' ? amax / 127 : amax / mid;
          return (type === 'Q8_0' ? d / 2 : d) + (mid + 1) * Math.abs(d - dh);
        });
        // Quantizing the dequantized block gives the same bytes (its extreme is exactly on the grid).
        expect(Array.from(quant(y))).toEqual(Array.from(b));
      }
    }), RUNS);
  });

  it('Q4_1 / Q5_1: within half a step plus the fp16 rounding of d and m', () => {
    fc.assert(fc.property(block, (x) => {
      for (const [quant, deq, levels, bytes] of [[quantizeRowQ4_1, dequantizeRowQ4_1, 15, 20], [quantizeRowQ5_1, dequantizeRowQ5_1, 31, 24]] as const) {
        const b = quant(x), y = deq(b, 64);
        within(x, y, (j) => {
          const blk = Math.floor(j / 32);
          const xs = x.subarray(32 * blk, 32 * blk + 32);
          const min = Math.min(...xs), d = (Math.max(...xs) - min) / levels;
          return d / 2 + levels * Math.abs(d - readHalf(b, blk * bytes)) + Math.abs(min - readHalf(b, blk * bytes + 2)) + 1e-7 * Math.max(...xs.map(Math.abs));
        });
      }
    }), RUNS);
  });
});

describe('the format table', () => {
  const expected: [GgmlBlockType, number, number, number, number][] = [
    ['Q8_0', 8, 32, 34, 8.5], ['Q4_0', 2, 32, 18, 4.5], ['Q4_1', 3, 32, 20, 5.0], ['Q5_0', 6, 32, 22, 5.5],
    ['Q5_1', 7, 32, 24, 6.0], ['Q4_K', 12, 256, 144, 4.5], ['Q6_K', 14, 256, 210, 6.5625],
  ];

  it.each(expected)('%s: ggml_type %i, block %i, %i bytes, %f bpw; byte length = blocks * bytes', (type, ggmlType, block, bytes, bpw) => {
    const f = GGML_FORMATS[type];
    expect([f.ggmlType, f.blockSize, f.bytesPerBlock, f.bitsPerWeight]).toEqual([ggmlType, block, bytes, bpw]);
    const x = f32s(range(3 * block, (j) => Math.sin(j)));
    expect(f.quantizeRow(x).length).toBe(3 * bytes);
    expect(ggmlRowBytes(type, 3 * block)).toBe(3 * bytes);
    expect(f.quantizeRow(new Float32Array(0)).length).toBe(0);
  });

  it.each(expected)('%s rejects rows that are not a multiple of the block, and short byte buffers', (type, _t, block, bytes) => {
    const f = GGML_FORMATS[type];
    expect(() => f.quantizeRow(new Float32Array(block + 1))).toThrow(/not a multiple of the block size/);
    expect(() => f.dequantizeRow(new Uint8Array(bytes), block - 1)).toThrow(/not a multiple/);
    expect(() => f.dequantizeRow(new Uint8Array(bytes), 2 * block)).toThrow(/bytes hold fewer/);
  });

  it('ggmlRoundTrip quantizes each row on its own and checks the shape', () => {
    const x = f32s(range(2 * 64, (j) => Math.cos(j) * (j < 64 ? 1 : 100)));
    const y = ggmlRoundTrip('Q4_0', x, 2, 64);
    expect(y.subarray(64)).toEqual(dequantizeRowQ4_0(quantizeRowQ4_0(x.subarray(64)), 64));
    expect(() => ggmlRoundTrip('Q4_0', x, 3, 64)).toThrow(/shape/);
    expect(() => ggmlRoundTrip('Q4_K', x, 2, 64)).toThrow(/not a multiple/);
  });
});
