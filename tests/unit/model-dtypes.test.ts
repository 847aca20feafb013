// tests (model layer): stored dtypes: byte lengths, hand-checked f32 decoding of every dtype, unaligned bytes, readTensor.
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/model/byteSource';
import { decodeToFloat32, dtypeByteLength, readTensor } from '../../src/model/dtypes';
import { ModelLoadError, type TensorDType } from '../../src/model/types';
import { GGML_FORMATS, type GgmlBlockType, QK_K } from '../../src/quant/ggml';

const u8 = (...xs: number[]) => new Uint8Array(xs);
const u16le = (...xs: number[]) => new Uint8Array(new Uint16Array(xs).buffer);
const f32Bits = (x: Float32Array) => [...new Uint32Array(x.buffer, x.byteOffset, x.length)];
/** The same bytes starting one byte into a fresh buffer, so typed-array views of them are impossible. */
function unaligned(bytes: Uint8Array): Uint8Array {
  const b = new Uint8Array(bytes.length + 1);
  b.set(bytes, 1);
  return b.subarray(1);
}

describe('dtypeByteLength', () => {
  it('is elements x element size for element dtypes (a scalar has one element)', () => {
    expect(dtypeByteLength('F32', [3, 4])).toBe(48);
    expect(dtypeByteLength('F32', [])).toBe(4);
    expect(dtypeByteLength('F64', [5])).toBe(40);
    expect(dtypeByteLength('BF16', [2, 0, 7])).toBe(0);
    expect(dtypeByteLength('F8_E4M3', [9])).toBe(9);
    expect(dtypeByteLength('I64', [2, 3])).toBe(48);
  });
  it('is rows x ggml row bytes for block dtypes (block bytes from ggml-common.h)', () => {
    expect(dtypeByteLength('Q8_0', [32])).toBe(34); // fp16 d + 32 int8
    expect(dtypeByteLength('Q4_0', [2, 64])).toBe(2 * 2 * 18); // fp16 d + 16 nibble bytes
    expect(dtypeByteLength('Q4_1', [1, 32])).toBe(20);
    expect(dtypeByteLength('Q5_0', [3, 32])).toBe(3 * 22);
    expect(dtypeByteLength('Q5_1', [2, 2, 32])).toBe(4 * 24);
    expect(dtypeByteLength('Q4_K', [3, 256])).toBe(3 * 144);
    expect(dtypeByteLength('Q6_K', [1, 512])).toBe(2 * 210);
  });
  it('refuses block dtypes without a row or with a partial block', () => {
    expect(() => dtypeByteLength('Q4_0', [])).toThrow('Q4_0: a block-quantized tensor needs at least one dimension');
    expect(() => dtypeByteLength('Q4_0', [2, 33])).toThrow('row length 33 is not a multiple of the block size 32');
  });
});

describe('decodeToFloat32: floats, exact bit patterns', () => {
  it('F16: one, max, subnormals, zeros, infinities, NaN', () => {
    const out = decodeToFloat32('F16', u16le(0x3c00, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x8000, 0xc000, 0x7c00, 0xfc00, 0x7e00, 0x7c01), [11]);
    expect([...out]).toEqual([1, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, -0, -2, Infinity, -Infinity, NaN, NaN]);
    expect(Object.is(out[5], -0)).toBe(true);
  });
  it('BF16: the top half of an f32, NaN payloads kept', () => {
    const out = decodeToFloat32('BF16', u16le(0x3f80, 0xc000, 0x7f7f, 0x0001, 0x0080, 0x7f80, 0xff80, 0x7fc1, 0x8000), [9]);
    expect([...out.subarray(0, 7)]).toEqual([1, -2, (2 - 2 ** -7) * 2 ** 127, 2 ** -133, 2 ** -126, Infinity, -Infinity]);
    expect(f32Bits(out.subarray(7))).toEqual([0x7fc10000, 0x80000000]);
  });
  it('F8_E4M3 (OCP OFP8: bias 7, max 448, no infinities, S.1111.111 NaN)', () => {
    const out = decodeToFloat32('F8_E4M3', u8(0x38, 0x7e, 0x77, 0x08, 0x01, 0x07, 0x80, 0xb8, 0x7f, 0xff, 0x78), [11]);
    // 0x77 = exp 14, mantissa 7: 1.875 * 2^7; 0x78 = exp 15, mantissa 0: 2^8 (a number, not inf).
    expect([...out]).toEqual([1, 448, 240, 2 ** -6, 2 ** -9, 7 * 2 ** -9, -0, -1, NaN, NaN, 256]);
  });
  it('F8_E5M2 (OCP OFP8: bias 15, max 57344, IEEE infinities and NaN)', () => {
    const out = decodeToFloat32('F8_E5M2', u8(0x3c, 0x7b, 0x04, 0x01, 0x03, 0xbc, 0x7c, 0xfc, 0x7d, 0x7f), [10]);
    expect([...out]).toEqual([1, 57344, 2 ** -14, 2 ** -16, 3 * 2 ** -16, -1, Infinity, -Infinity, NaN, NaN]);
  });
  it('F64 rounds to the nearest f32, ties to even, overflow to infinity', () => {
    const src = [1 / 3, 0.1, 1 + 2 ** -24, 1 + 3 * 2 ** -24, -(1 + 2 ** -24 + 2 ** -40), 1e300, 2 ** -149 / 2];
    const out = decodeToFloat32('F64', new Uint8Array(new Float64Array(src).buffer), [7]);
    // 1 + 2^-24 is halfway between 1 and 1 + 2^-23: even mantissa is 1; 1 + 3 * 2^-24 halfway to 1 + 2^-22 (even).
    expect([...out]).toEqual([Math.fround(1 / 3), Math.fround(0.1), 1, 1 + 2 ** -22, -(1 + 2 ** -23), Infinity, 0]);
  });
  it('F32 is copied bit for bit (signed zero, NaN payload), into a new array', () => {
    const bits = new Uint32Array([0x3f800000, 0x80000000, 0x7fc00123, 0x00000001]);
    const bytes = new Uint8Array(bits.buffer);
    const out = decodeToFloat32('F32', bytes, [4]);
    expect(f32Bits(out)).toEqual([...bits]);
    out[0] = 5;
    expect(bits[0]).toBe(0x3f800000);
  });
});

describe('decodeToFloat32: integers become their nearest f32', () => {
  it('I8, U8, I16 exactly', () => {
    expect([...decodeToFloat32('I8', u8(0x80, 0x7f, 0xff, 0), [4])]).toEqual([-128, 127, -1, 0]);
    expect([...decodeToFloat32('U8', u8(255, 0, 7), [3])]).toEqual([255, 0, 7]);
    expect([...decodeToFloat32('I16', new Uint8Array(new Int16Array([-32768, 32767, -3]).buffer), [3])]).toEqual([-32768, 32767, -3]);
  });
  it('I32 exactly up to 2^24, rounded to even above', () => {
    const out = decodeToFloat32('I32', new Uint8Array(new Int32Array([2 ** 24, 2 ** 24 + 1, 2 ** 24 + 3, 2 ** 31 - 1, -(2 ** 31)]).buffer), [5]);
    expect([...out]).toEqual([2 ** 24, 2 ** 24, 2 ** 24 + 4, 2 ** 31, -(2 ** 31)]);
  });
  it('I64 correctly rounded, even where rounding through f64 would be wrong', () => {
    // 2^60 + 2^36 + 1 lies just above the midpoint 2^60 + 2^36 of the f32 neighbours 2^60 and 2^60 + 2^37.
    // Number() drops the +1 (f64 spacing there is 2^8) and an f32 rounding of that tie would give 2^60.
    const big = 2n ** 60n + 2n ** 36n + 1n;
    const src = new BigInt64Array([-5n, 2n ** 24n + 1n, 2n ** 53n + 1n, big, -big, 2n ** 63n - 1n, -(2n ** 63n)]);
    const out = decodeToFloat32('I64', new Uint8Array(src.buffer), [7]);
    expect([...out]).toEqual([-5, 2 ** 24, 2 ** 53, 2 ** 60 + 2 ** 37, -(2 ** 60 + 2 ** 37), 2 ** 63, -(2 ** 63)]);
  });
});

describe('decodeToFloat32: ggml blocks', () => {
  it('Q8_0 by hand: fp16 d then 32 int8 codes, value = d * q', () => {
    const block = new Uint8Array(34);
    block.set(u16le(0x3800)); // d = 0.5
    const q = Array.from({ length: 32 }, (_, j) => j - 16);
    block.set(new Uint8Array(new Int8Array(q).buffer), 2);
    expect([...decodeToFloat32('Q8_0', block, [32])]).toEqual(q.map((v) => v * 0.5));
  });
  it('Q4_0 by hand: element j in the low nibble of byte j, element j+16 in the high nibble, value = d * (nibble - 8)', () => {
    const block = new Uint8Array(18);
    block.set(u16le(0x4000)); // d = 2
    for (let j = 0; j < 16; j++) block[2 + j] = (j & 0xf) | ((15 - j) << 4);
    const expected = [...Array.from({ length: 16 }, (_, j) => 2 * (j - 8)), ...Array.from({ length: 16 }, (_, j) => 2 * (15 - j - 8))];
    expect([...decodeToFloat32('Q4_0', block, [32])]).toEqual(expected);
  });
  it.each(['Q8_0', 'Q4_0', 'Q4_1', 'Q5_0', 'Q5_1', 'Q4_K', 'Q6_K'] as GgmlBlockType[])(
    '%s: each innermost row is its own run of blocks, outer dims flattened', (type) => {
      const f = GGML_FORMATS[type];
      const cols = f.blockSize === QK_K ? QK_K : 2 * f.blockSize;
      const shape = [2, 3, cols];
      const rows = Array.from({ length: 6 }, (_, r) => Float32Array.from({ length: cols }, (_, i) => Math.sin(r * 7 + i * 0.37) * (r + 1)));
      const rowBytes = rows.map((row) => f.quantizeRow(row));
      const bytes = new Uint8Array(rowBytes.reduce((n, b) => n + b.length, 0));
      rowBytes.reduce((at, b) => (bytes.set(b, at), at + b.length), 0);
      const out = decodeToFloat32(type, bytes, shape);
      expect(out.length).toBe(6 * cols);
      rowBytes.forEach((b, r) => expect(out.subarray(r * cols, (r + 1) * cols)).toEqual(f.dequantizeRow(b, cols)));
    });
});

describe('unaligned bytes and wrong lengths', () => {
  const cases: [TensorDType, Uint8Array][] = [
    ['F32', new Uint8Array(new Float32Array([1.5, -2, 3e-40]).buffer)],
    ['F64', new Uint8Array(new Float64Array([0.1, -7]).buffer)],
    ['F16', u16le(0x3c00, 0x0001, 0xfc00)],
    ['BF16', u16le(0x3f80, 0x0001)],
    ['I16', u16le(0x8000, 5)],
    ['I32', new Uint8Array(new Int32Array([-1, 2 ** 30]).buffer)],
    ['I64', new Uint8Array(new BigInt64Array([-3n, 2n ** 40n]).buffer)],
  ];
  it.each(cases)('%s decodes the same at an odd byte offset', (dtype, bytes) => {
    const shape = [bytes.length / dtypeByteLength(dtype, [1])];
    const odd = unaligned(bytes);
    expect(odd.byteOffset % 2).toBe(1);
    expect(decodeToFloat32(dtype, odd, shape)).toEqual(decodeToFloat32(dtype, bytes, shape));
  });
  it('a byte count that does not match dtype and shape is a corrupt-file error', () => {
    const call = () => decodeToFloat32('F32', new Uint8Array(10), [3]);
    expect(call).toThrow(ModelLoadError);
    expect(call).toThrow('A F32 tensor of shape [3] needs 12 bytes, but 10 were read. The file is damaged; try downloading it again.');
  });
});

describe('readTensor', () => {
  it('reads an entry at an odd offset of a source and decodes it', async () => {
    const file = new Uint8Array(1 + 8 + 3);
    file.set(new Uint8Array(new Float32Array([0.25, -8]).buffer), 1);
    const source = bytesSource('t.bin', file);
    const entry = { name: 'w', dtype: 'F32' as const, shape: [2], byteOffset: 1, byteLength: 8, file: 't.bin' };
    expect([...(await readTensor(source, entry))]).toEqual([0.25, -8]);
  });
});
