// spec: the recipe's optional transform step (Hadamard rotation, outlier retention, ...): its zod schema, ranges and short label.
import { z } from 'zod';
import type { TransformSpec } from '../quant/transforms/registry';

const u32 = z.number().int().min(0).max(0xffffffff);

/**
 * Parameters of each method, with the ranges a link may carry. Limits that depend on the tensor
 * (a rank up to min(rows, cols), a VQ sub-vector length dividing the row, a rotation block
 * dividing it) are checked by src/quant/transforms when the tensor is known.
 */
export const TRANSFORM_PARAMS = {
  /** Seed of the random signs (null: the plain Hadamard matrix); block of a block-diagonal rotation (absent: the whole row). */
  hadamard: z.object({
    seed: u32.nullable().optional(),
    block: z.number().int().min(1).max(1 << 20).optional(),
  }),
  /** Keep the top `count` (or those >= `value`) columns, rows or single weights in fp16. */
  retention: z.object({
    axis: z.enum(['column', 'row', 'element']),
    select: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('top'), count: z.number().int().min(0).max(1 << 24) }),
      z.object({ kind: z.literal('threshold'), value: z.number().min(0).max(1e6) }),
    ]),
    score: z.enum(['absmax', 'norm']).optional(),
  }),
  reorder: z.object({ by: z.enum(['absmax', 'norm', 'identity']) }),
  splitquant: z.object({
    scope: z.enum(['tensor', 'row']).optional(),
    init: z.enum(['percentiles', 'k-means++']).optional(),
    iterations: z.number().int().min(1).max(100).optional(),
    seed: u32.optional(),
  }),
  /** Rank 0 is plain quantization (a slider's left end). */
  lowrank: z.object({
    rank: z.number().int().min(0).max(1024),
    order: z.enum(['split', 'lorc']).optional(),
    factorType: z.enum(['fp16', 'fp32']).optional(),
    oversample: z.number().int().min(0).max(64).optional(),
    powerIterations: z.number().int().min(0).max(8).optional(),
    seed: u32.optional(),
  }),
  'clip-search': z.object({
    ratios: z.array(z.number().gt(0).max(1)).min(1).max(64).optional(),
    range: z.enum(['absmax', 'min-max']).optional(),
  }),
  /** Sub-vector length 1..8 and 2^bits codewords (bits 1..12) per codebook. */
  vq: z.object({
    dim: z.number().int().min(1).max(8),
    bits: z.number().int().min(1).max(12),
    iterations: z.number().int().min(1).max(100).optional(),
    seed: u32.optional(),
    rowsPerCodebook: z.number().int().min(0).max(1 << 20).optional(),
    maxTrainVectors: z.number().int().min(1).max(1 << 20).optional(),
  }),
} as const;

/** The transform step as a link stores it; absent from a recipe means none (plain round to nearest). */
export const transformSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('hadamard'), params: TRANSFORM_PARAMS.hadamard }),
  z.object({ method: z.literal('retention'), params: TRANSFORM_PARAMS.retention }),
  z.object({ method: z.literal('reorder'), params: TRANSFORM_PARAMS.reorder }),
  z.object({ method: z.literal('splitquant'), params: TRANSFORM_PARAMS.splitquant }),
  z.object({ method: z.literal('lowrank'), params: TRANSFORM_PARAMS.lowrank }),
  z.object({ method: z.literal('clip-search'), params: TRANSFORM_PARAMS['clip-search'] }),
  z.object({ method: z.literal('vq'), params: TRANSFORM_PARAMS.vq }),
]);

export type RecipeTransform = z.infer<typeof transformSchema>;
export type RecipeTransformMethod = RecipeTransform['method'];
/** The parameters of one method. */
export type TransformParamsOf<M extends RecipeTransformMethod> = Extract<RecipeTransform, { method: M }>['params'];

/** The library's form of a transform step (every valid step is one; this fails to compile if the schema drifts from TransformSpec). */
export function transformSpecOf(t: RecipeTransform): TransformSpec {
  return t;
}

/** Whether the method replaces the format (vector quantization is its own format: the recipe's format is not used). */
export function replacesFormat(t: RecipeTransform | undefined): boolean {
  return t?.method === 'vq';
}

const AXIS_WORDS = { column: 'columns', row: 'rows', element: 'weights' } as const;

/** The transform's part of the recipe chip, e.g. "Hadamard", "keep 8 columns fp16", "low-rank r8", "VQ 2-d · 8-bit codes". */
export function transformChip(t: RecipeTransform): string {
  switch (t.method) {
    case 'hadamard': {
      const parts = ['Hadamard'];
      if (t.params.block !== undefined) parts.push(`block ${t.params.block}`);
      if (t.params.seed === null) parts.push('no signs');
      return parts.join(' ');
    }
    case 'retention': {
      const { axis, select } = t.params;
      return select.kind === 'top' ? `keep ${select.count} ${AXIS_WORDS[axis]} fp16` : `keep ${AXIS_WORDS[axis]} ≥ ${select.value} fp16`;
    }
    case 'reorder': return t.params.by === 'identity' ? 'no reorder' : `reorder by ${t.params.by}`;
    case 'splitquant': return t.params.scope === 'row' ? 'SplitQuant per row' : 'SplitQuant';
    case 'lowrank': return `${t.params.order === 'lorc' ? 'LoRC' : 'low-rank'} r${t.params.rank}`;
    case 'clip-search': return 'clip search';
    case 'vq': return `VQ ${t.params.dim}-d · ${t.params.bits}-bit codes`;
  }
}
