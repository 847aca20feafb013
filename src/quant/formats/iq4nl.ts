// quant: llama.cpp IQ4_NL: the kvalues_iq4nl codebook with an fp16 scale per block of 32, as ggml's reference quantizer.
import { assert } from '../../lib/assert';
import { divRn, f32 } from '../../lib/f32';
import { type GroupLayout, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { IQ4NL_VALUES, bestIndexInt8 } from './codebooks';
import { SCALE_BITS, type ScaleType, storeScale } from './absmax';

/** ggml GROUP_MAX_EPS: blocks with a smaller absmax get scale 0. */
const GROUP_MAX_EPS = f32(1e-15);

/** An IQ4_NL tensor: packed 4-bit codes, one scale per group (ggml: fp16; held as its f32 value). */
export interface Iq4nlQuantized {
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  readonly scaleType: ScaleType;
  readonly scales: Float32Array;
}

/**
 * `quantize_row_iq4_nl_ref` (ggml/src/ggml-quants.c, `quantize_row_iq4_nl_impl` with no importance
 * weights, ntry = -1): d0 = max / -127 where max is the signed element of largest |x|, codes =
 * best_index_int8(x / d0 as f32(x * f32(1/d0))), then the stored scale is the least-squares fit
 * d = sum(w q x) / sum(w q q) with w = x^2 (f32, in element order), rounded to fp16. Codes are not
 * recomputed with d. A block with absmax < 1e-15 gets d = 0 (ggml leaves its codes unset; we write 8).
 * ggml requires rows divisible by 32; tail groups here run the same algorithm. Compilers may fuse
 * multiply-adds in ggml, so the fp16 scale can differ in its last bit on near-ties.
 * `scaleType` other than ggml's fp16 stores d as fp32 or bf16 instead (RNE, sign kept): not a
 * GGUF layout, an option for comparing scale precisions.
 */
export function quantizeIq4nl(x: Float32Array, layout: GroupLayout, scaleType: ScaleType = 'fp16'): Iq4nlQuantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeIq4nl: layout does not match tensor size');
  const codes = new Uint8Array(x.length);
  const scales = new Float32Array(layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    let amax = 0, max = 0;
    for (const i of idx) if (Math.abs(x[i]) > amax) { amax = Math.abs(x[i]); max = x[i]; }
    if (amax < GROUP_MAX_EPS) {
      for (const i of idx) codes[i] = 8;
      continue;
    }
    const id = divRn(1, divRn(max, IQ4NL_VALUES[0]));
    let sumqx = 0, sumq2 = 0;
    for (const i of idx) {
      const l = bestIndexInt8(IQ4NL_VALUES, f32(id * x[i]));
      codes[i] = l;
      const q = IQ4NL_VALUES[l], w = f32(x[i] * x[i]);
      sumqx = f32(sumqx + f32(f32(w * q) * x[i]));
      sumq2 = f32(sumq2 + f32(f32(w * q) * q));
    }
    scales[g] = storeScale(sumq2 > 0 ? divRn(sumqx, sumq2) : 0, scaleType);
  }
  return { layout, n: x.length, words: packCodes(codes, 4), scaleType, scales };
}

/** `dequantize_row_iq4_nl`: f32(d * kvalues_iq4nl[code]). */
export function dequantizeIq4nl(q: Iq4nlQuantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) out[i] = f32(q.scales[groupOf(q.layout, i)] * IQ4NL_VALUES[unpackCode(q.words, 4, i)]);
  return out;
}

/** Bits per weight: 4-bit codes + a scale per group (fp16, block 32: 4.5). */
export function iq4nlBitsPerWeight(n: number, groupCount: number, scaleType: ScaleType = 'fp16'): number {
  return (4 * n + SCALE_BITS[scaleType] * groupCount) / n;
}
