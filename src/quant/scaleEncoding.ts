// quant: how a per-group scale (or float zero point) is stored: fp32, fp16, bf16, E4M3, E8M0 — twin of shaders/lib_scale.wgsl.
import { bitsF32, F32_MIN_NORMAL, f32Bits } from '../lib/f32';

/**
 * Storage type of a scale. Sources: IEEE 754 binary16 (fp16); bfloat16 (bf16: f32's exponent, 7
 * mantissa bits); OCP OFP8 v1.0 E4M3 (bias 7, max 448, subnormals down to 2^-9; NVFP4's block
 * scale type); OCP MX v1.0 §5.4.1 E8M0 (an unsigned power of two, 2^-127..2^127; MX's shared scale).
 */
export type ScaleEncoding = 'fp32' | 'fp16' | 'bf16' | 'e4m3' | 'e8m0';

export const SCALE_ENCODINGS: readonly ScaleEncoding[] = ['fp32', 'fp16', 'bf16', 'e4m3', 'e8m0'];

/** Bits one stored scale costs. */
export const SCALE_ENCODING_BITS: Readonly<Record<ScaleEncoding, number>> = { fp32: 32, fp16: 16, bf16: 16, e4m3: 8, e8m0: 8 };

/** Index of an encoding in the WGSL override `SCALE_ENC` (shaders/lib_scale.wgsl). */
export const SCALE_ENCODING_INDEX: Readonly<Record<ScaleEncoding, number>> = { fp32: 0, fp16: 1, bf16: 2, e4m3: 3, e8m0: 4 };

const FP16_MAX = 65504;
const BF16_MAX = bitsF32(0x7f7f0000); // 3.3895313892515355e38
const E4M3_MAX = 448;

/**
 * Round a non-negative normal f32 `a` (or 0) to nearest, ties to even, on the grid of a binary
 * format with `m` mantissa bits whose smallest normal exponent is `emin` (its subnormals keep the
 * quantum 2^(emin - m)); values at or above `max` saturate to `max`. Integer arithmetic on the f32
 * bits, exactly as `round_fp` in shaders/lib_scale.wgsl.
 */
function roundFp(a: number, m: number, emin: number, max: number): number {
  if (a >= max) return max;
  const u = f32Bits(a);
  const biased = u >>> 23;
  if (biased === 0) return 0; // zero (subnormal f32 inputs were flushed before)
  const e = biased - 127;
  const mant = (u & 0x7fffff) | 0x800000;
  const qexp = Math.max(e, emin) - m; // exponent of the quantum
  const s = qexp - (e - 23); // bits of the 24-bit significand below the quantum, >= 23 - m
  if (s > 24) return 0; // below half the smallest quantum
  let r = mant >>> s;
  const rest = mant - r * 2 ** s, half = 2 ** (s - 1);
  if (rest > half || (rest === half && (r & 1) === 1)) r += 1;
  return r * 2 ** qexp; // exact: r < 2^(m+2), qexp >= emin - m
}

/**
 * The stored value of a scale s >= 0 (an f32, subnormals already flushed):
 * - fp32: s.
 * - fp16, bf16, E4M3: round to nearest, ties to even (subnormals of the target included), and
 *   saturate at the largest finite value (65504, 3.3895e38, 448) instead of overflowing. A scale
 *   below half the smallest subnormal (2^-25, -, 2^-10) becomes 0, and its group dequantizes to 0.
 * - E8M0: round UP to the next power of two (2^ceil(log2 s)), capped at 2^127, so the step never
 *   shrinks and no code overflows the grid (OCP MX's own rule rounds the exponent down and
 *   saturates elements instead; rounding up keeps the integer grid covering [min, max]).
 *   0 stays 0 (an all-zero group; E8M0 has no zero, but every code of such a group decodes to 0).
 */
export function encodeScale(s: number, enc: ScaleEncoding): number {
  switch (enc) {
    case 'fp32': return s;
    case 'fp16': return roundFp(s, 10, -14, FP16_MAX);
    case 'e4m3': return roundFp(s, 3, -6, E4M3_MAX);
    case 'bf16': {
      if (s >= BF16_MAX) return BF16_MAX;
      const u = f32Bits(s);
      return bitsF32(((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000) >>> 0);
    }
    case 'e8m0': {
      if (!(s >= F32_MIN_NORMAL)) return 0;
      const u = f32Bits(s);
      let biased = u >>> 23;
      if ((u & 0x7fffff) !== 0) biased += 1;
      return bitsF32(Math.min(biased, 254) << 23);
    }
  }
}

/**
 * A signed value (the HQQ-style float zero point) stored in `enc`: sign kept, magnitude rounded
 * as {@link encodeScale}. E8M0 has no sign and no zero, so it cannot hold a zero point.
 */
export function encodeSigned(v: number, enc: Exclude<ScaleEncoding, 'e8m0'>): number {
  const mag = encodeScale(Math.abs(v), enc);
  return v < 0 ? -mag : mag;
}
