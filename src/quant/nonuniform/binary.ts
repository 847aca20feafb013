// quant: binary weights sign(x)·mean|x| per group (XNOR-Net's scaled sign), 1-bit codes, CPU reference.
import { assert } from '../../lib/assert';
import { f32 } from '../../lib/f32';
import { SCALE_BITS, type ScaleType, storeScale } from '../formats/absmax';
import { type GroupLayout, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';

/** mean |x| over a group's elements: summed in f64, rounded once to f32 (the GPU's f32 tree may differ in the last bit). */
export function meanAbs(x: Float32Array, idx: readonly number[]): number {
  let s = 0;
  for (const i of idx) s += Math.abs(x[i]);
  return idx.length ? f32(s / idx.length) : 0;
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
