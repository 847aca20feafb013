// quant: ggml Q5_0 and Q5_1 (blocks of 32 5-bit codes: low nibbles plus a 32-bit high-bit mask), byte-exact with llama.cpp.
import { f32 } from '../../lib/f32';
import { blockCount, checkBytes, div, readHalf, truncToInt8, truncToUint8, writeHalf } from './common';

/** Elements per block (`QK5_0`, `QK5_1`). */
export const QK5 = 32;

/**
 * `block_q5_0` (ggml-common.h), 22 bytes = 5.5 bits per weight:
 * ```
 * offset 0  ggml_half d       fp16 scale, little-endian
 * offset 2  uint8_t   qh[4]   a little-endian uint32: bit j = bit 4 of element j's code (j = 0..31)
 * offset 6  uint8_t   qs[16]  byte j: low nibble = element j, high nibble = element j + 16 (low 4 bits)
 * ```
 * value = (code - 16) * d.
 */
export const Q5_0_BYTES = 22;

/**
 * `block_q5_1`, 24 bytes = 6.0 bits per weight: d (fp16) at 0, m (fp16 min) at 2, qh at 4,
 * qs at 8, laid out as in Q5_0. value = code * d + m.
 */
export const Q5_1_BYTES = 24;

/** Writes the 32 codes of one block: nibbles into qs, bit 4 of code j into bit j of qh. */
function packQ5(out: Uint8Array, qhOff: number, qsOff: number, codes: Uint8Array): void {
  let qh = 0;
  for (let j = 0; j < QK5 / 2; j++) {
    const xi0 = codes[j], xi1 = codes[j + QK5 / 2];
    out[qsOff + j] = (xi0 & 0x0f) | ((xi1 & 0x0f) << 4);
    qh |= ((xi0 & 0x10) >> 4) << j;
    qh |= ((xi1 & 0x10) >> 4) << (j + QK5 / 2);
  }
  out[qhOff] = qh & 0xff;
  out[qhOff + 1] = (qh >>> 8) & 0xff;
  out[qhOff + 2] = (qh >>> 16) & 0xff;
  out[qhOff + 3] = (qh >>> 24) & 0xff;
}

/** The 5-bit code of element j (0..31) from qh and qs, as `dequantize_row_q5_0` assembles it. */
function codeQ5(bytes: Uint8Array, qhOff: number, qsOff: number, j: number): number {
  const qh = (bytes[qhOff] | (bytes[qhOff + 1] << 8) | (bytes[qhOff + 2] << 16) | (bytes[qhOff + 3] << 24)) >>> 0;
  const lo = j < QK5 / 2 ? bytes[qsOff + j] & 0x0f : bytes[qsOff + j - QK5 / 2] >> 4;
  return lo | (((qh >>> j) & 1) << 4);
}

/**
 * `quantize_row_q5_0_ref` (ggml/src/ggml-quants.c): as Q4_0 with 16: max = signed element of
 * largest |x|, d = max / -16, id = d ? 1/d : 0 (f32 d), code = MIN(31, (int8_t)(x * id + 16.5f)).
 * An all-zero block stores d = -0 (0x8000) and code 16. The length must be a multiple of 32.
 */
export function quantizeRowQ5_0(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK5, 'Q5_0');
  const out = new Uint8Array(nb * Q5_0_BYTES);
  const codes = new Uint8Array(QK5);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK5, o = i * Q5_0_BYTES;
    let amax = 0, max = 0;
    for (let j = 0; j < QK5; j++) {
      const v = x[xo + j];
      if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
    }
    const d = div(max, -16);
    const id = d !== 0 ? div(1, d) : 0;
    writeHalf(out, o, d);
    for (let j = 0; j < QK5; j++) codes[j] = Math.min(31, truncToInt8(f32(f32(x[xo + j] * id) + 16.5))) & 0xff;
    packQ5(out, o + 2, o + 6, codes);
  }
  return out;
}

/** `dequantize_row_q5_0`: y = (code - 16) * d in f32. */
export function dequantizeRowQ5_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBytes(bytes, n, QK5, Q5_0_BYTES, 'Q5_0');
  const y = new Float32Array(n);
  for (let i = 0; i < nb; i++) {
    const o = i * Q5_0_BYTES;
    const d = readHalf(bytes, o);
    for (let j = 0; j < QK5; j++) y[i * QK5 + j] = f32((codeQ5(bytes, o + 2, o + 6, j) - 16) * d);
  }
  return y;
}

/**
 * `quantize_row_q5_1_ref`: min/max, d = (max - min) / 31, id = d ? 1/d : 0,
 * code = (uint8_t)((x - min) * id + 0.5f) (truncation, no MIN: the top code is 31 by
 * construction); d and m = min stored as fp16. The length must be a multiple of 32.
 */
export function quantizeRowQ5_1(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK5, 'Q5_1');
  const out = new Uint8Array(nb * Q5_1_BYTES);
  const codes = new Uint8Array(QK5);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK5, o = i * Q5_1_BYTES;
    let min = 3.4028234663852886e38, max = -3.4028234663852886e38; // ±FLT_MAX
    for (let j = 0; j < QK5; j++) {
      const v = x[xo + j];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = div(f32(max - min), 31);
    const id = d !== 0 ? div(1, d) : 0;
    writeHalf(out, o, d);
    writeHalf(out, o + 2, min);
    for (let j = 0; j < QK5; j++) codes[j] = truncToUint8(f32(f32(f32(x[xo + j] - min) * id) + 0.5));
    packQ5(out, o + 4, o + 8, codes);
  }
  return out;
}

/** `dequantize_row_q5_1`: y = code * d + m, two f32 roundings. */
export function dequantizeRowQ5_1(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBytes(bytes, n, QK5, Q5_1_BYTES, 'Q5_1');
  const y = new Float32Array(n);
  for (let i = 0; i < nb; i++) {
    const o = i * Q5_1_BYTES;
    const d = readHalf(bytes, o), m = readHalf(bytes, o + 2);
    for (let j = 0; j < QK5; j++) y[i * QK5 + j] = f32(f32(codeQ5(bytes, o + 4, o + 8, j) * d) + m);
  }
  return y;
}
