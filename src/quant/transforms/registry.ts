// quant: the list of weight-side transforms (label, one-line explanation, paper, default parameters) and one entry point that applies any of them.
import { type BaseQuantizer, transformResult, type TransformResult } from './base';
import { applyClipSearch, type ClipSearchParams } from './clipSearch';
import { applyLowRank, type LowRankParams } from './lowRank';
import { applyReorder, type ReorderParams } from './reorder';
import { applyRetention, type RetentionParams } from './retention';
import { applyRotation, type RotationParams } from './rotation';
import { applySplitQuant, type SplitQuantParams } from './splitQuant';
import { applyVq, type VqParams } from './vq';

/** A transform and its parameters: serialisable, the shape a recipe step stores. */
export type TransformSpec =
  | { readonly method: 'none'; readonly params: Record<string, never> }
  | { readonly method: 'hadamard'; readonly params: RotationParams }
  | { readonly method: 'retention'; readonly params: RetentionParams }
  | { readonly method: 'reorder'; readonly params: ReorderParams }
  | { readonly method: 'splitquant'; readonly params: SplitQuantParams }
  | { readonly method: 'lowrank'; readonly params: LowRankParams }
  | { readonly method: 'clip-search'; readonly params: ClipSearchParams }
  | { readonly method: 'vq'; readonly params: VqParams };

export type TransformMethod = TransformSpec['method'];

export interface TransformDescriptor<M extends TransformMethod = TransformMethod> {
  readonly method: M;
  readonly label: string;
  /** One line for the UI. */
  readonly explanation: string;
  /** The paper(s) it comes from. */
  readonly source: string;
  /** What it costs beyond the base format, in words. */
  readonly cost: string;
  readonly defaults: Extract<TransformSpec, { method: M }>['params'];
}

type Registry = { readonly [M in TransformMethod]: TransformDescriptor<M> };

/** A descriptor of any method (a union discriminated by `method`). */
export type AnyTransformDescriptor = Registry[TransformMethod];

const REGISTRY: Registry = {
  none: {
    method: 'none', label: 'Round to nearest', defaults: {},
    explanation: 'The base format alone: every weight rounded to its group\'s grid.',
    source: '—', cost: 'none',
  },
  hadamard: {
    method: 'hadamard', label: 'Hadamard rotation', defaults: { seed: 0 },
    explanation: 'Rotate the input dimension with a randomized Hadamard matrix so outliers spread over all weights, quantize, rotate back.',
    source: 'QuaRot (Ashkboos et al. 2024, arXiv 2404.00456); QuIP# (Tseng et al. 2024, arXiv 2402.04396)',
    cost: 'a 32-bit seed; the activations are rotated at run time',
  },
  retention: {
    method: 'retention', label: 'Outlier retention', defaults: { axis: 'column', select: { kind: 'top', count: 8 }, score: 'norm' },
    explanation: 'Keep the largest columns, rows or weights in fp16 and quantize the rest without them.',
    source: 'LLM.int8() (Dettmers et al. 2022, arXiv 2208.07339); PB-LLM (arXiv 2310.00034); PTQ1.61 (arXiv 2502.13179)',
    cost: '16 bits per kept weight plus their indices or a bitmask',
  },
  reorder: {
    method: 'reorder', label: 'Channel reordering', defaults: { by: 'absmax' },
    explanation: 'Sort input channels by size before blocking so the large ones share blocks, then put them back.',
    source: 'Accurate Block Quantization in LLMs with Outliers (Trukhanov & Soloveychik 2024, arXiv 2403.20137)',
    cost: 'the permutation: cols · ceil(log2 cols) bits',
  },
  splitquant: {
    method: 'splitquant', label: 'SplitQuant', defaults: { scope: 'tensor', init: 'percentiles', iterations: 20, seed: 0 },
    explanation: 'Split weights into lower, middle and upper clusters by k-means and quantize each with its own scales.',
    source: 'SplitQuant (Song & Lin 2025, arXiv 2501.12631)',
    cost: 'two more sets of scales and the cluster ids (1.6 bits per weight, or the positions of the outer clusters when fewer)',
  },
  lowrank: {
    method: 'lowrank', label: 'Low-rank + quantized residual', defaults: { rank: 8, order: 'split', factorType: 'fp16', oversample: 8, powerIterations: 2, seed: 0 },
    explanation: 'Keep the top singular directions in fp16 (randomized SVD) and quantize what is left.',
    source: 'Metis (Cao et al. 2025, arXiv 2509.00404); LoRC in ZeroQuant-V2 (Yao et al. 2023, arXiv 2303.08302)',
    cost: 'rank · (rows + cols) · 16 bits',
  },
  'clip-search': {
    method: 'clip-search', label: 'Clipping search', defaults: {},
    explanation: 'Per group, try clip ratios 1.00 to 0.50 and keep the one with the least squared error.',
    source: 'OmniQuant learnable weight clipping (Shao et al. 2024, arXiv 2308.13137), as a grid search',
    cost: 'none (the ratio is folded into the scale)',
  },
  vq: {
    method: 'vq', label: 'Vector quantization', defaults: { dim: 2, bits: 8, iterations: 10, seed: 0 },
    explanation: 'Replace every d weights by the nearest of 2^b codewords fitted by k-means (the base format is not used).',
    source: 'VPTQ (Liu et al. 2024, arXiv 2409.17066); GPTVQ (van Baalen et al. 2024, arXiv 2402.15319)',
    cost: 'b / d index bits per weight plus 2^b · d · 16 bits per codebook',
  },
};

/** Every transform, in display order. */
export const TRANSFORMS: readonly AnyTransformDescriptor[] = Object.values(REGISTRY);

/** The descriptor of one method. */
export function transformDescriptor<M extends TransformMethod>(method: M): TransformDescriptor<M> {
  return REGISTRY[method] as TransformDescriptor<M>;
}

/**
 * Applies a transform to the row-major f32[rows · cols] tensor `w` with the base format `quantize`
 * (built by base.ts `baseQuantizer`). Vector quantization ignores `quantize`: it is its own format.
 */
export function applyTransform(spec: TransformSpec, w: Float32Array, rows: number, cols: number, quantize: BaseQuantizer): TransformResult<unknown> {
  switch (spec.method) {
    case 'none': return transformResult(quantize(w, rows, cols), rows, cols, quantize.bits(rows, cols), 0, {});
    case 'hadamard': return applyRotation(w, rows, cols, spec.params, quantize);
    case 'retention': return applyRetention(w, rows, cols, spec.params, quantize);
    case 'reorder': return applyReorder(w, rows, cols, spec.params, quantize);
    case 'splitquant': return applySplitQuant(w, rows, cols, spec.params, quantize);
    case 'lowrank': return applyLowRank(w, rows, cols, spec.params, quantize);
    case 'clip-search': return applyClipSearch(w, rows, cols, spec.params, quantize);
    case 'vq': return applyVq(w, rows, cols, spec.params);
  }
}
