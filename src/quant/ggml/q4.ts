// quant: ggml Q4_0 and Q4_1 (blocks of 32 4-bit codes, fp16 scale and for Q4_1 an fp16 min), byte-exact with llama.cpp.
import { f32 } from '../../lib/f32';
import { blockCount, checkBytes, div, readHalf, truncToInt8, writeHalf } from './common';

/** Elements per block (`QK4_0`, `QK4_1`). */
export const QK4 = 32;

/**
 * `block_q4_0` (ggml-common.h), 18 bytes = 4.5 bits per weight:
 * ```
 * offset 0  ggml_half d       fp16 scale, little-endian
 * offset 2  uint8_t   qs[16]  byte j: low nibble = code of element j, high nibble = element j + 16
 * ```
 * value = (code - 8) * d.
 */
export const Q4_0_BYTES = 18;

/**
 * `block_q4_1`, 20 bytes = 5.0 bits per weight:
 * ```
 * offset 0  ggml_half d       fp16 scale
 * offset 2  ggml_half m       fp16 min
 * offset 4  uint8_t   qs[16]  nibbles as in Q4_0
 * ```
 * value = code * d + m.
 */
export const Q4_1_BYTES = 20;

/**
 * `quantize_row_q4_0_ref` (ggml/src/ggml-quants.c). max = the *signed* element of largest |x|
 * (the first one on ties), d = max / -8, id = d ? 1/d : 0 computed from the f32 d (not the fp16
 * one), code = MIN(15, (int8_t)(x * id + 8.5f)): truncation, so halves go up. The element of
 * largest magnitude gets code 0 (value -8 * d = max). An all-zero block stores d = 0 / -8 = -0
 * (fp16 0x8000) and code 8, exactly as ggml. The length must be a multiple of 32.
 */
export function quantizeRowQ4_0(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK4, 'Q4_0');
  const out = new Uint8Array(nb * Q4_0_BYTES);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK4, o = i * Q4_0_BYTES;
    let amax = 0, max = 0;
    for (let j = 0; j < QK4; j++) {
      const v = x[xo + j];
      if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
    }
    const d = div(max, -8);
    const id = d !== 0 ? div(1, d) : 0;
    writeHalf(out, o, d);
    for (let j = 0; j < QK4 / 2; j++) {
      const x0 = f32(x[xo + j] * id), x1 = f32(x[xo + QK4 / 2 + j] * id);
      const xi0 = Math.min(15, truncToInt8(f32(x0 + 8.5))) & 0xff;
      const xi1 = Math.min(15, truncToInt8(f32(x1 + 8.5))) & 0xff;
      out[o + 2 + j] = (xi0 | (xi1 << 4)) & 0xff;
    }
  }
  return out;
}

/** `dequantize_row_q4_0`: y[j] = (lo nibble - 8) * d, y[j + 16] = (hi nibble - 8) * d. */
export function dequantizeRowQ4_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBytes(bytes, n, QK4, Q4_0_BYTES, 'Q4_0');
  const y = new Float32Array(n);
  for (let i = 0; i < nb; i++) {
    const o = i * Q4_0_BYTES;
    const d = readHalf(bytes, o);
    for (let j = 0; j < QK4 / 2; j++) {
      const q = bytes[o + 2 + j];
      y[i * QK4 + j] = f32(((q & 0x0f) - 8) * d);
      y[i * QK4 + j + QK4 / 2] = f32(((q >> 4) - 8) * d);
    }
  }
  return y;
}

/**
 * `quantize_row_q4_1_ref`: min and max of the block, d = (max - min) / 15, id = d ? 1/d : 0,
 * code = MIN(15, (int8_t)((x - min) * id + 0.5f)); d and m = min stored as fp16 (so the decoded
 * grid is offset by min's fp16 rounding). The length must be a multiple of 32.
 */
export function quantizeRowQ4_1(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK4, 'Q4_1');
  const out = new Uint8Array(nb * Q4_1_BYTES);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK4, o = i * Q4_1_BYTES;
    let min = 3.4028234663852886e38, max = -3.4028234663852886e38; // ±FLT_MAX
    for (let j = 0; j < QK4; j++) {
      const v = x[xo + j];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = div(f32(max - min), 15);
    const id = d !== 0 ? div(1, d) : 0;
    writeHalf(out, o, d);
    writeHalf(out, o + 2, min);
    for (let j = 0; j < QK4 / 2; j++) {
      const x0 = f32(f32(x[xo + j] - min) * id), x1 = f32(f32(x[xo + QK4 / 2 + j] - min) * id);
      const xi0 = Math.min(15, truncToInt8(f32(x0 + 0.5))) & 0xff;
      const xi1 = Math.min(15, truncToInt8(f32(x1 + 0.5))) & 0xff;
      out[o + 4 + j] = (xi0 | (xi1 << 4)) & 0xff;
    }
  }
  return out;
}

/** `dequantize_row_q4_1`: y = code * d + m, two f32 roundings (no fused multiply-add). */
export function dequantizeRowQ4_1(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBytes(bytes, n, QK4, Q4_1_BYTES, 'Q4_1');
  const y = new Float32Array(n);
  for (let i = 0; i < nb; i++) {
    const o = i * Q4_1_BYTES;
    const d = readHalf(bytes, o), m = readHalf(bytes, o + 2);
    for (let j = 0; j < QK4 / 2; j++) {
      const q = bytes[o + 4 + j];
      y[i * QK4 + j] = f32(f32((q & 0x0f) * d) + m);
      y[i * QK4 + j + QK4 / 2] = f32(f32((q >> 4) * d) + m);
    }
  }
  return y;
}
