// quant: NVIDIA NVFP4: E2M1 elements, an E4M3 scale per 16-element block and an fp32 tensor scale.
import { assert } from '../../lib/assert';
import { divRn, f32, F32_MIN_NORMAL } from '../../lib/f32';
import { type GroupLayout, absMaxOf, groupIndices, groupOf } from '../groups';
import { packCodes, unpackCode } from '../pack';
import { E2M1, E4M3 } from './fp';

/** E4M3's smallest normal, 2^-6: torchao's E4M3_EPS floor for block scales. */
export const NVFP4_MIN_BLOCK_SCALE = E4M3.minNormal;

/** An NVFP4 tensor: packed E2M1 codes, E4M3 block-scale codes, one fp32 tensor scale. */
export interface Nvfp4Quantized {
  readonly layout: GroupLayout;
  readonly n: number;
  readonly words: Uint32Array;
  /** E4M3 codes, one per group (always positive). */
  readonly blockScales: Uint8Array;
  /** fp32 tensor scale = amax / (448 * 6). */
  readonly tensorScale: number;
}

/**
 * Quantizes as torchao `_nvfp4_quantize` with a per-tensor scale (prototype/mx_formats/nvfp4_tensor.py):
 * tensorScale = amax / 2688 (448 * 6); per block, s = (blockAmax / 6) / tensorScale is clamped to
 * [2^-6, 448] and rounded to E4M3 (RNE); elements = E2M1(clamp(x / (tensorScale * s8), ±6)), RNE.
 * Tiny blocks: a block whose scale would fall below 2^-6 uses 2^-6 (its elements then quantize
 * coarsely, often to 0); a zero block gets 2^-6 and codes 0. An all-zero tensor uses tensorScale 1
 * (torchao would divide 0 by 0); the tensor scale is floored at 2^-126 so tiny tensors still encode. Expected layout: `groupLayout(r, c, 'block', 16)`; inputs finite.
 */
export function quantizeNvfp4(x: Float32Array, layout: GroupLayout): Nvfp4Quantized {
  assert(layout.lines * layout.lineLen === x.length, 'quantizeNvfp4: layout does not match tensor size');
  let amax = 0;
  for (let i = 0; i < x.length; i++) {
    assert(Number.isFinite(x[i]), `quantizeNvfp4: non-finite input at ${i}`);
    amax = Math.max(amax, Math.abs(x[i]));
  }
  // Floored at the smallest normal f32: a tiny tensor (amax < 2688 · 2^-126) would otherwise get 0.
  const tensorScale = amax === 0 ? 1 : Math.max(divRn(amax, E4M3.max * E2M1.max), F32_MIN_NORMAL);
  const codes = new Uint8Array(x.length);
  const blockScales = new Uint8Array(layout.groupCount);
  for (let g = 0; g < layout.groupCount; g++) {
    const idx = groupIndices(layout, g);
    const bmax = absMaxOf(x, idx);
    const s = divRn(divRn(bmax, E2M1.max), tensorScale);
    blockScales[g] = E4M3.encode(Math.min(E4M3.max, Math.max(NVFP4_MIN_BLOCK_SCALE, s)));
    const total = f32(tensorScale * E4M3.decode(blockScales[g]));
    for (const i of idx) codes[i] = E2M1.encode(Math.min(E2M1.max, Math.max(-E2M1.max, divRn(x[i], total))));
  }
  return { layout, n: x.length, words: packCodes(codes, 4), blockScales, tensorScale };
}

/** Dequantizes: E2M1 value * f32(tensorScale * E4M3 block scale), in f32. */
export function dequantizeNvfp4(q: Nvfp4Quantized): Float32Array {
  const out = new Float32Array(q.n);
  for (let i = 0; i < q.n; i++) {
    const total = f32(q.tensorScale * E4M3.decode(q.blockScales[groupOf(q.layout, i)]));
    out[i] = f32(E2M1.decode(unpackCode(q.words, 4, i)) * total);
  }
  return out;
}

/** Bits per weight: 4-bit codes, an 8-bit scale per group, one 32-bit tensor scale (4 + 8/16 + 32/n). */
export function nvfp4BitsPerWeight(n: number, groupCount: number): number {
  return (4 * n + 8 * groupCount + 32) / n;
}
