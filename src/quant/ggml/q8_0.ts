// quant: ggml Q8_0 (block of 32 int8 codes with an fp16 scale), byte-exact with llama.cpp's reference.
import { f32 } from '../../lib/f32';
import { blockCount, checkBytes, div, readHalf, roundAway, writeHalf } from './common';

/** Elements per Q8_0 block (`QK8_0`, ggml-common.h). */
export const QK8_0 = 32;

/**
 * Bytes per block, `block_q8_0` (ggml-common.h):
 * ```
 * offset 0  ggml_half d      fp16 scale, little-endian
 * offset 2  int8_t    qs[32] element j is qs[j] (two's complement)
 * ```
 * 34 bytes = 8.5 bits per weight.
 */
export const Q8_0_BYTES = 34;

/**
 * `quantize_row_q8_0_ref` (ggml/src/ggml-quants.c): amax = max |x|, d = amax / 127 (f32),
 * id = d ? 1/d : 0 from the f32 d, qs[j] = roundf(x[j] * id) (ties away from zero), d stored as
 * fp16. The length must be a multiple of 32.
 */
export function quantizeRowQ8_0(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK8_0, 'Q8_0');
  const out = new Uint8Array(nb * Q8_0_BYTES);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK8_0, o = i * Q8_0_BYTES;
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) {
      const a = Math.abs(x[xo + j]);
      amax = amax > a ? amax : a; // MAX(amax, fabsf(v))
    }
    const d = div(amax, 127);
    const id = d !== 0 ? div(1, d) : 0;
    writeHalf(out, o, d);
    for (let j = 0; j < QK8_0; j++) out[o + 2 + j] = roundAway(f32(x[xo + j] * id)) & 0xff;
  }
  return out;
}

/** `dequantize_row_q8_0`: y = qs[j] * fp16(d), in f32. `n` must be a multiple of 32. */
export function dequantizeRowQ8_0(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBytes(bytes, n, QK8_0, Q8_0_BYTES, 'Q8_0');
  const y = new Float32Array(n);
  for (let i = 0; i < nb; i++) {
    const o = i * Q8_0_BYTES;
    const d = readHalf(bytes, o);
    for (let j = 0; j < QK8_0; j++) y[i * QK8_0 + j] = f32(((bytes[o + 2 + j] << 24) >> 24) * d);
  }
  return y;
}
