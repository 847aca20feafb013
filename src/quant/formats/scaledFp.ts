// quant: a floating-point element format (FP8/FP6/FP4) with an fp32 absmax scale per group, so any tensor fills the format's range.
import { assert } from '../../lib/assert';
import { divRn, f32 } from '../../lib/f32';
import { type GroupLayout, absMaxOf, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { elementClipThreshold, elementCoder, type ElementOptions } from './elementOptions';
import type { FpFormat } from './fp';

/** Element codes plus one fp32 scale per group. */
export interface ScaledFpQuantized {
  readonly format: FpFormat;
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scales: Float32Array;
}

/**
 * Per group: scale = absmax / format.max (correctly rounded f32), codes = format.encode(f32(x * (1/scale))),
 * round to nearest even and saturating, the same scale-then-multiply convention as the integer
 * quantizer (src/quant/int.ts). A zero group gets scale 0 and codes for +0. Inputs must be finite.
 * `options` (elementOptions.ts): a percentile clip uses min(absmax, T) for the scale (T the tensor's
 * p-th percentile of |x|; larger elements saturate); stochastic rounding puts f32(x · inv) on the
 * element grid by `stochasticOnGrid` (seeded by the element's index) before the encode.
 */
export function quantizeScaledFp(x: Float32Array, layout: GroupLayout, format: FpFormat, options?: ElementOptions): ScaledFpQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeScaledFp: layout does not match tensor size');
  const codes = new Uint8Array(x.length);
  const scales = new Float32Array(layout.groupCount);
  const threshold = elementClipThreshold(x, options);
  const code = elementCoder(format, options);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const amax = Math.min(absMaxOf(x, idx), threshold);
    const scale = divRn(amax, format.max);
    const inv = scale === 0 ? 0 : divRn(1, scale);
    scales[g] = scale;
    for (const i of idx) codes[i] = code(f32(x[i] * inv), i);
  }
  return { format, layout, n: x.length, words: packCodes(codes, format.bits), scales };
}

/** Dequantizes: f32(element value * scale). */
export function dequantizeScaledFp(q: ScaledFpQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    out[i] = f32(q.format.decode(unpackCode(q.words, q.format.bits, i)) * q.scales[groupOf(q.layout, i)]);
  }
  return out;
}

/** Bits per weight: element bits plus an fp32 scale per group. */
export function scaledFpBitsPerWeight(bits: number, n: number, groupCount: number): number {
  return (bits * n + 32 * groupCount) / n;
}
