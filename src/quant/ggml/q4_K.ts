// quant: ggml Q4_K (super-blocks of 256: 8 sub-blocks of 32 with 6-bit scales and mins), byte-exact with llama.cpp's reference.
import { f32 } from '../../lib/f32';
import { blockCount, checkBytes, div, nearestInt, readHalf, roundFp16, writeHalf } from './common';
import { makeQkx2Quants } from './kquantSearch';

/** Elements per super-block (`QK_K`, ggml-common.h). */
export const QK_K = 256;

/**
 * `block_q4_K` (ggml-common.h), 144 bytes = 4.5 bits per weight:
 * ```
 * offset 0   ggml_half d           fp16 super-scale of the sub-block scales
 * offset 2   ggml_half dmin        fp16 super-scale of the sub-block mins
 * offset 4   uint8_t   scales[12]  eight 6-bit scales sc[j] and mins m[j], packed (get_scale_min_k4):
 *                                    j < 4:  sc = scales[j] & 63,  m = scales[j+4] & 63
 *                                    j >= 4: sc = (scales[j+4] & 15) | (scales[j-4] >> 6) << 4
 *                                            m  = (scales[j+4] >> 4) | (scales[j]   >> 6) << 4
 * offset 16  uint8_t   qs[128]     4 runs of 32 bytes; run r, byte l: low nibble = element 64r + l
 *                                  (sub-block 2r), high nibble = element 64r + 32 + l (sub-block 2r+1)
 * ```
 * value = d * sc[j] * q - dmin * m[j] for sub-block j.
 */
export const Q4_K_BYTES = 144;

/** `get_scale_min_k4` (ggml-quants.c): the 6-bit scale and min of sub-block j from the 12 packed bytes at `off`. */
export function getScaleMinK4(j: number, q: Uint8Array, off: number): [number, number] {
  if (j < 4) return [q[off + j] & 63, q[off + j + 4] & 63];
  return [
    (q[off + j + 4] & 0xf) | ((q[off + j - 4] >> 6) << 4),
    (q[off + j + 4] >> 4) | ((q[off + j] >> 6) << 4),
  ];
}

/**
 * `quantize_row_q4_K_ref` (ggml/src/ggml-quants.c). Per sub-block of 32: weights
 * w = sqrt(mean x^2) + |x|, then `make_qkx2_quants(32, 15, ..., rmin -1, rdelta 0.1, nstep 20,
 * use_mad false)` gives a scale and a min. The largest scale and min set d = max_scale/63 and
 * dmin = max_min/63 (fp16); sub-block scales/mins are nearest_int(63/max * v) capped at 63.
 * Codes are then recomputed against the fp16-rounded d*sc and dmin*m as
 * clamp(nearest_int((x + dm)/d), 0, 15); a sub-block whose d*sc is 0 keeps make_qkx2_quants'
 * codes, as in ggml. The length must be a multiple of 256.
 */
export function quantizeRowQ4_K(x: Float32Array): Uint8Array {
  const nb = blockCount(x.length, QK_K, 'Q4_K');
  const out = new Uint8Array(nb * Q4_K_BYTES);
  const L = new Uint8Array(QK_K);
  const weights = new Float32Array(32);
  const scales = new Float32Array(QK_K / 32), mins = new Float32Array(QK_K / 32);
  for (let i = 0; i < nb; i++) {
    const xo = i * QK_K, o = i * Q4_K_BYTES;
    let maxScale = 0, maxMin = 0;
    for (let j = 0; j < QK_K / 32; j++) {
      const so = xo + 32 * j;
      let sumX2 = 0;
      for (let l = 0; l < 32; l++) sumX2 = f32(sumX2 + f32(x[so + l] * x[so + l]));
      const avX = f32(Math.sqrt(div(sumX2, 32)));
      for (let l = 0; l < 32; l++) weights[l] = f32(avX + Math.abs(x[so + l]));
      const r = makeQkx2Quants(32, 15, x.subarray(so, so + 32), weights, L.subarray(32 * j, 32 * j + 32), -1, f32(0.1), 20, false);
      scales[j] = r.scale;
      mins[j] = r.min;
      if (r.scale > maxScale) maxScale = r.scale;
      if (r.min > maxMin) maxMin = r.min;
    }
    const invScale = maxScale > 0 ? div(63, maxScale) : 0;
    const invMin = maxMin > 0 ? div(63, maxMin) : 0;
    const sc = o + 4;
    for (let j = 0; j < QK_K / 32; j++) {
      const ls = Math.min(63, nearestInt(f32(invScale * scales[j])) & 0xff); // uint8_t, then MIN(63, .)
      const lm = Math.min(63, nearestInt(f32(invMin * mins[j])) & 0xff);
      if (j < 4) {
        out[sc + j] = ls;
        out[sc + j + 4] = lm;
      } else {
        out[sc + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
        out[sc + j - 4] |= (ls >> 4) << 6;
        out[sc + j] |= (lm >> 4) << 6;
      }
    }
    writeHalf(out, o, div(maxScale, 63));
    writeHalf(out, o + 2, div(maxMin, 63));
    const dAll = roundFp16(div(maxScale, 63)), dMinAll = roundFp16(div(maxMin, 63));
    for (let j = 0; j < QK_K / 32; j++) {
      const [s, m] = getScaleMinK4(j, out, sc);
      const d = f32(dAll * s);
      if (d === 0) continue;
      const dm = f32(dMinAll * m);
      for (let ii = 0; ii < 32; ii++) {
        const l = nearestInt(div(f32(x[xo + 32 * j + ii] + dm), d));
        L[32 * j + ii] = Math.max(0, Math.min(15, l));
      }
    }
    for (let j = 0, q = o + 16; j < QK_K; j += 64, q += 32) {
      for (let l = 0; l < 32; l++) out[q + l] = L[j + l] | (L[j + l + 32] << 4);
    }
  }
  return out;
}

/** `dequantize_row_q4_K`: y = f32(f32(d*sc) * q) - f32(dmin*m), each product and the difference rounded to f32. */
export function dequantizeRowQ4_K(bytes: Uint8Array, n: number): Float32Array {
  const nb = checkBytes(bytes, n, QK_K, Q4_K_BYTES, 'Q4_K');
  const y = new Float32Array(n);
  let yi = 0;
  for (let i = 0; i < nb; i++) {
    const o = i * Q4_K_BYTES;
    const d = readHalf(bytes, o), dmin = readHalf(bytes, o + 2);
    for (let j = 0, is = 0, q = o + 16; j < QK_K; j += 64, is += 2, q += 32) {
      const [sc1, m1i] = getScaleMinK4(is, bytes, o + 4);
      const [sc2, m2i] = getScaleMinK4(is + 1, bytes, o + 4);
      const d1 = f32(d * sc1), m1 = f32(dmin * m1i);
      const d2 = f32(d * sc2), m2 = f32(dmin * m2i);
      for (let l = 0; l < 32; l++) y[yi++] = f32(f32(d1 * (bytes[q + l] & 0xf)) - m1);
      for (let l = 0; l < 32; l++) y[yi++] = f32(f32(d2 * (bytes[q + l] >> 4)) - m2);
    }
  }
  return y;
}
