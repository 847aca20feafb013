// quant: binary weights sign(x)·mean|x| per group (XNOR-Net's scaled sign), 1-bit codes, CPU reference.
import { assert } from '../../lib/assert';
import { f32, f32Bits } from '../../lib/f32';
import { SCALE_BITS, type ScaleType, storeScale } from '../formats/absmax';
import { type GroupLayout, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';

/** Fraction bits of {@link meanAbs}'s fixed point, below the group's largest power of two. */
export const MEAN_ABS_FRACTION_BITS = 32;

/** floor(log2 v) for a positive finite f32 v (subnormals included), from its bits. */
function floorLog2F32(v: number): number {
  const b = f32Bits(v) & 0x7fffffff;
  const e = b >>> 23;
  return e > 0 ? e - 127 : 31 - Math.clz32(b) - 149;
}

/** RN_f32(s / n · 2^f), correctly rounded (ties to even, subnormals included) for integers s >= 1, n >= 1. */
export function roundRatioF32(s: bigint, n: number, f: number): number {
  const SH = 96; // quotient of s·2^96 / n has >= 65 bits for n < 2^31: enough for 24 + guard
  const num = s << BigInt(SH), den = BigInt(n);
  const q = num / den, rem = num % den;
  const p = q.toString(2).length - 1; // msb index of q: value = q · 2^(f - SH) (+ rem)
  const lsb = Math.max(p + f - SH - 23, -149); // absolute exponent of the result's last bit
  const shift = lsb - (f - SH);
  if (shift > p + 1) return 0; // below half of 2^-149
  let mant = q >> BigInt(shift);
  const guard = (q >> BigInt(shift - 1)) & 1n;
  const sticky = (q & ((1n << BigInt(shift - 1)) - 1n)) !== 0n || rem !== 0n;
  if (guard === 1n && (sticky || (mant & 1n) === 1n)) mant += 1n;
  return f32(Number(mant) * 2 ** lsb); // exact: mant <= 2^24
}

/**
 * mean |x| over a group, defined so the GPU computes it bit for bit (shaders/quant_table.wgsl,
 * MEANABS): with E = floor(log2 max|x|), each |x| is truncated to a multiple of
 * 2^(E - {@link MEAN_ABS_FRACTION_BITS}) and summed exactly as an integer S (order-free), and the
 * mean is RN_f32(S · 2^(E - 32) / n). It is within 2^(E - 32) (about 2^-32 max|x|) of the exact
 * mean of the f32 inputs before the final rounding.
 */
export function meanAbs(x: Float32Array, idx: readonly number[]): number {
  let amax = 0;
  for (const i of idx) amax = Math.max(amax, Math.abs(x[i]));
  if (!idx.length || amax === 0) return 0;
  const e = floorLog2F32(amax);
  const unit = 2 ** (MEAN_ABS_FRACTION_BITS - e);
  let big = 0n, acc = 0; // each term < 2^33: acc stays exact below 2^52, then moves into big
  for (const i of idx) {
    acc += Math.floor(Math.abs(x[i]) * unit);
    if (acc >= 2 ** 52) { big += BigInt(acc); acc = 0; }
  }
  return roundRatioF32(big + BigInt(acc), idx.length, e - MEAN_ABS_FRACTION_BITS);
}

/** A binarized tensor: one bit per element (1: +, 0: -) and a scale per group. */
export interface BinaryQuantized {
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scaleType: ScaleType;
  readonly scales: Float32Array;
}

/**
 * Binary weights: B = sign(x), alpha = mean|x| per group, x ≈ alpha·B. For a fixed sign pattern this
 * alpha is the least-squares optimum ||x||_1 / n (Rastegari et al., "XNOR-Net", ECCV 2016, eq. 2-4;
 * BinaryConnect, Courbariaux et al. 2015, is the unscaled sign). Code 1 for x >= 0 (zero and NaN
 * count as +), 0 for x < 0. Alpha is stored in `scaleType`.
 */
export function quantizeBinary(x: Float32Array, layout: GroupLayout, scaleType: ScaleType = 'fp32'): BinaryQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeBinary: layout does not match tensor size');
  const codes = new Uint8Array(x.length);
  const scales = new Float32Array(layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    scales[g] = storeScale(meanAbs(x, idx), scaleType);
    for (const i of idx) codes[i] = x[i] < 0 ? 0 : 1;
  }
  return { layout, n: x.length, words: packCodes(codes, 1), scaleType, scales };
}

/** Dequantizes: ±alpha of the element's group. */
export function dequantizeBinary(q: BinaryQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    const s = q.scales[groupOf(q.layout, i)];
    out[i] = unpackCode(q.words, 1, i) ? s : -s;
  }
  return out;
}

/** Bits per weight: 1 + scale bits per group (group 128, fp16: 1.125). */
export function binaryBitsPerWeight(scaleType: ScaleType, n: number, groupCount: number): number {
  return (n + SCALE_BITS[scaleType] * groupCount) / n;
}
