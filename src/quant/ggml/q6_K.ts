// quant: ggml Q6_K (super-blocks of 256: 16 sub-blocks of 16 with int8 scales, 6-bit codes), byte-exact with llama.cpp's reference.
import { f32 } from '../../lib/f32';
import { blockCount, checkBytes, div, nearestInt, readHalf, roundFp16, writeHalf } from './common';
import { GROUP_MAX_EPS, makeQxQuantsRmse1 } from './kquantSearch';
import { QK_K } from './q4_K';

/**
 * `block_q6_K` (ggml-common.h), 210 bytes = 6.5625 bits per weight:
 * ```
 * offset 0    uint8_t   ql[128]     low 4 bits; half h (elements 128h..128h+127) uses ql[64h..64h+63]:
 *                                     ql[64h + l]      lo nibble: element 128h + l,      hi: 128h + 64 + l
 *                                     ql[64h + 32 + l] lo nibble: element 128h + 32 + l, hi: 128h + 96 + l
 * offset 128  uint8_t   qh[64]      high 2 bits; qh[32h + l] bits 0-1, 2-3, 4-5, 6-7: elements
 *                                     128h + l, + 32 + l, + 64 + l, + 96 + l   (l = 0..31)
 * offset 192  int8_t    scales[16]  one signed 8-bit scale per sub-block of 16
 * offset 208  ggml_half d           fp16 super-scale
 * ```
 * value = d * scales[e / 16] * (code - 32), code 0..63.
 */
export const Q6_K_BYTES = 210;

/**
 * `quantize_row_q6_K_ref` (ggml/src/ggml-quants.c): per sub-block of 16,
 * `make_qx_quants(16, 32, x, L, rmse_type 1, NULL)`; the sub-block scale of largest |scale|
 * (signed, first on ties) sets iscale = -128 / max_scale, d = 1/iscale stored as fp16, and
 * scales[j] = MIN(127, nearest_int(iscale * scale_j)). Codes are then recomputed against the
 * fp16 d times scales[j] as clamp(nearest_int(x / d), -32, 31) + 32; a sub-block whose product is
 * 0 keeps make_qx_quants' codes, as in ggml. A super-block whose scales are all below 1e-15 is all
 * zero bytes. The length must be a multiple of 256.
 */
export function quantizeRowQ6_K(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK_K, 'Q6_K');
  const out = new Uint8Array(nb * Q6_K_BYTES);
  const L = new Int8Array(QK_K);
  const scales = new Float32Array(QK_K / 16);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K, o = i * Q6_K_BYTES;
    let maxScale = 0, maxAbsScale = 0;
    for (let ib = 0; ib < QK_K / 16; ib++) {
      const scale = makeQxQuantsRmse1(16, 32, x.subarray(xo + 16 * ib, xo + 16 * ib + 16), L.subarray(16 * ib, 16 * ib + 16));
      scales[ib] = scale;
      if (Math.abs(scale) > maxAbsScale) { maxAbsScale = Math.abs(scale); maxScale = scale; }
    }
    if (maxAbsScale < GROUP_MAX_EPS) continue; // memset 0, d = fp16(0) = 0x0000
    const iscale = div(-128, maxScale);
    writeHalf(out, o + 208, div(1, iscale));
    const dAll = roundFp16(div(1, iscale));
    for (let ib = 0; ib < QK_K / 16; ib++) {
      out[o + 192 + ib] = Math.min(127, nearestInt(f32(iscale * scales[ib]))) & 0xff; // int8_t
    }
    for (let j = 0; j < QK_K / 16; j++) {
      const d = f32(dAll * ((out[o + 192 + j] << 24) >> 24));
      if (d === 0) continue;
      for (let ii = 0; ii < 16; ii++) {
        const l = nearestInt(div(x[xo + 16 * j + ii], d));
        L[16 * j + ii] = Math.max(-32, Math.min(31, l)) + 32;
      }
    }
    for (let j = 0, ql = o, qh = o + 128; j < QK_K; j += 128, ql += 64, qh += 32) {
      for (let l = 0; l < 32; l++) {
        const q1 = L[j + l] & 0xf, q2 = L[j + l + 32] & 0xf, q3 = L[j + l + 64] & 0xf, q4 = L[j + l + 96] & 0xf;
        out[ql + l] = q1 | (q3 << 4);
        out[ql + l + 32] = q2 | (q4 << 4);
        out[qh + l] = (L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6);
      }
    }
  }
  return out;
}

/** `dequantize_row_q6_K`: y = f32(f32(d * scale) * (code - 32)). */
export function dequantizeRowQ6_K(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBytes(bytes, n, QK_K, Q6_K_BYTES, 'Q6_K');
  const y = new Float32Array(n);
  for (let i = 0; i < nb; i++) {
    const o = i * Q6_K_BYTES;
    const d = readHalf(bytes, o + 208);
    const sc = (k: number): number => (bytes[o + 192 + k] << 24) >> 24;
    for (let h = 0; h < 2; h++) {
      const ql = o + 64 * h, qh = o + 128 + 32 * h, s = 8 * h, yo = i * QK_K + 128 * h;
      for (let l = 0; l < 32; l++) {
        const is = l >> 4;
        const q1 = ((bytes[ql + l] & 0xf) | (((bytes[qh + l] >> 0) & 3) << 4)) - 32;
        const q2 = ((bytes[ql + l + 32] & 0xf) | (((bytes[qh + l] >> 2) & 3) << 4)) - 32;
        const q3 = ((bytes[ql + l] >> 4) | (((bytes[qh + l] >> 4) & 3) << 4)) - 32;
        const q4 = ((bytes[ql + l + 32] >> 4) | (((bytes[qh + l] >> 6) & 3) << 4)) - 32;
        y[yo + l] = f32(f32(d * sc(s + is)) * q1);
        y[yo + l + 32] = f32(f32(d * sc(s + is + 2)) * q2);
        y[yo + l + 64] = f32(f32(d * sc(s + is + 4)) * q3);
        y[yo + l + 96] = f32(f32(d * sc(s + is + 6)) * q4);
      }
    }
  }
  return y;
}
