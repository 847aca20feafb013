// quant: log2 / log√2 (power-of-two) levels as in RepQ-ViT, sign + exponent codes with an exact zero, CPU reference.
import { assert } from '../../lib/assert';
import { divRn, f32 } from '../../lib/f32';
import { SCALE_BITS, type ScaleType, storeScale } from '../formats/absmax';
import { type GroupLayout, absMaxOf, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';

/**
 * Log quantizer settings. `base` 2: magnitudes 2^-k; 'sqrt2': 2^(-k/2) (RepQ-ViT's log√2 quantizer).
 * `rounding` 'log': round in the exponent domain as RepQ-ViT does (round(-log2 u)), i.e. thresholds at
 * geometric means; 'linear': nearest level (arithmetic midpoints), lower squared error.
 */
export interface LogFormat {
  /** Code bits 2..8: 1 sign bit + (bits - 1) magnitude bits. */
  readonly bits: number;
  readonly base: '2' | 'sqrt2';
  readonly rounding: 'log' | 'linear';
}

/**
 * Magnitude table, indexed by magnitude code m in [0, 2^(b-1)): m = 0 is exact zero, m >= 1 is
 * 2^(-(m-1)·s) with s = 1 (base 2) or 1/2 (base √2), rounded to f32. So k = m - 1 runs 0..2^(b-1)-2:
 * b bits hold 2^b codes, and ±2^-k for k = 0..2^(b-1)-1 plus zero would be 2^b + 1 levels, so the
 * smallest power is given up for zero (the zero code's negative twin is never produced).
 */
export function logMagnitudes(f: LogFormat): number[] {
  assert(f.bits >= 2 && f.bits <= 8, `log quantizer: bits must be 2..8, got ${f.bits}`);
  const s = f.base === '2' ? 1 : 0.5;
  return Array.from({ length: 1 << (f.bits - 1) }, (_, m) => (m === 0 ? 0 : f32(2 ** (-(m - 1) * s))));
}

/**
 * Thresholds on u = |x|/scale, ascending, between magnitudes in ascending order
 * (0, smallest power, ..., 1): u > t[j] moves up one magnitude (ties take the smaller magnitude).
 * 'log': between 2^-k·s and 2^-(k+1)·s the threshold is 2^(-(k+1/2)·s) (f32), and zero takes
 * u <= 2^(-(K-1/2)·s) with K = 2^(b-1)-1 levels (RepQ-ViT: round(-log2 u) beyond the last level
 * becomes 0). 'linear': f32 midpoints of adjacent magnitudes (zero below half the smallest power).
 */
export function logThresholds(f: LogFormat): number[] {
  const mags = logMagnitudes(f);
  const K = mags.length - 1, s = f.base === '2' ? 1 : 0.5;
  const ascending = [0, ...mags.slice(1).reverse()];
  if (f.rounding === 'linear') return ascending.slice(1).map((v, j) => f32((ascending[j] + v) / 2));
  // ascending[j] = 2^(-(K-j)·s) for j >= 1; the threshold below it is 2^(-(K-j+1/2)·s).
  return Array.from({ length: K }, (_, j) => f32(2 ** (-(K - (j + 1) + 0.5) * s)));
}

/** A log-quantized tensor: codes (sign << (b-1) | magnitude code) and an absmax scale per group. */
export interface LogQuantized {
  readonly format: LogFormat;
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scaleType: ScaleType;
  readonly scales: Float32Array;
}

/** Magnitude code of u >= 0: count the thresholds passed, then map ascending order to the code. */
function magnitudeCode(u: number, thresholds: readonly number[]): number {
  let j = 0;
  while (j < thresholds.length && u > thresholds[j]) j++;
  return j === 0 ? 0 : thresholds.length + 1 - j; // ascending index j -> magnitude code
}

/**
 * Per group: scale = absmax (stored in `scaleType`; the top level ±scale is the group's extreme),
 * u = f32(|x| · f32(1/scale)) (all-zero group: 1/scale := 0), magnitude code from {@link logThresholds},
 * sign bit = x < 0 and magnitude nonzero (so zero is always code 0). Value = ±f32(magnitude · scale).
 */
export function quantizeLog(x: Float32Array, layout: GroupLayout, format: LogFormat, scaleType: ScaleType = 'fp32'): LogQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeLog: layout does not match tensor size');
  const t = logThresholds(format);
  const signBit = 1 << (format.bits - 1);
  const codes = new Uint8Array(x.length);
  const scales = new Float32Array(layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const amax = absMaxOf(x, idx);
    scales[g] = storeScale(amax, scaleType);
    const inv = scales[g] === 0 ? 0 : divRn(1, scales[g]);
    for (const i of idx) {
      const m = magnitudeCode(f32(Math.abs(x[i]) * inv), t);
      codes[i] = m !== 0 && x[i] < 0 ? signBit | m : m;
    }
  }
  return { format, layout, n: x.length, words: packCodes(codes, format.bits), scaleType, scales };
}

/** Value of one code under a group scale. */
export function decodeLog(code: number, scale: number, mags: readonly number[], bits: number): number {
  const signBit = 1 << (bits - 1);
  const v = f32(mags[code & (signBit - 1)] * scale);
  return code & signBit ? -v : v;
}

/** Dequantizes every element. */
export function dequantizeLog(q: LogQuantized): Float32Array {
  const mags = logMagnitudes(q.format), out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    out[i] = decodeLog(unpackCode(q.words, q.format.bits, i), q.scales[groupOf(q.layout, i)], mags, q.format.bits);
  }
  return out;
}

/** Bits per weight: b-bit codes + one scale per group. */
export function logBitsPerWeight(bits: number, scaleType: ScaleType, n: number, groupCount: number): number {
  return (n * bits + SCALE_BITS[scaleType] * groupCount) / n;
}
