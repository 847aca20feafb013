// quant: channel reordering before blocking, so outlier input channels share blocks (CPU reference; the gather is shaders/gather_columns.wgsl).
//
// Trukhanov & Soloveychik 2024, "Accurate Block Quantization in LLMs with Outliers" (arXiv
// 2403.20137): permute the inner (input) dimension so channels of similar magnitude sit in the same
// block; a block's scale then fits its members, and the few large channels spoil one block instead
// of many. The same permutation is applied to the activations (or folded into the previous layer),
// so the product is unchanged. Here the columns are sorted by salience (descending; ties keep their
// order), quantized with the base format, and put back. Only block grouping along rows feels the
// order: per-row, per-column and per-tensor scales give the same result whatever the permutation.
// Cost: the permutation, cols · ceil(log2 cols) bits (zero when folded into the previous layer).
import { type BaseQuantizer, checkShape, indexBits, transformResult, type TransformResult } from './base';
import { channelScores } from './retention';

export interface ReorderParams {
  /** Sort columns by largest |w| or L2 norm (descending), or keep the identity order. */
  readonly by: 'absmax' | 'norm' | 'identity';
}

export interface ReorderInfo {
  /** Columns that moved. */
  readonly moved: number;
  /** The first up to 64 entries of the permutation: position j holds original column perm[j]. */
  readonly head: number[];
}

/** out[r, j] = x[r, perm[j]] for the row-major f32[rows · cols] x (perm a permutation of 0..cols-1). */
export function gatherColumns(x: Float32Array, rows: number, cols: number, perm: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[r * cols + j] = x[r * cols + perm[j]];
  return out;
}

/** The inverse permutation: inv[perm[j]] = j. */
export function inversePermutation(perm: ArrayLike<number>): Uint32Array {
  const inv = new Uint32Array(perm.length);
  for (let j = 0; j < perm.length; j++) inv[perm[j]] = j;
  return inv;
}

/** The column order for `by`: descending salience, stable. */
export function columnOrder(w: Float32Array, rows: number, cols: number, by: ReorderParams['by']): Uint32Array {
  const perm = Uint32Array.from({ length: cols }, (_, j) => j);
  if (by === 'identity') return perm;
  const scores = channelScores(w, rows, cols, 'column', by);
  return perm.sort((a, b) => scores[b] - scores[a] || a - b);
}

/** Bits of a stored permutation of cols columns. */
export function permutationBits(cols: number): number {
  return cols * indexBits(cols);
}

/**
 * Permutes the columns of the row-major f32[rows · cols] tensor `w`, quantizes, and un-permutes.
 * baseBits: the base format; extraBits: the permutation ({@link permutationBits}; 0 for identity).
 */
export function applyReorder(w: Float32Array, rows: number, cols: number, p: ReorderParams, quantize: BaseQuantizer): TransformResult<ReorderInfo> {
  checkShape(w, rows, cols, 'Channel reordering');
  const perm = columnOrder(w, rows, cols, p.by);
  const q = quantize(gatherColumns(w, rows, cols, perm), rows, cols);
  const xhat = gatherColumns(q, rows, cols, inversePermutation(perm));
  const moved = perm.reduce((n, c, j) => n + (c === j ? 0 : 1), 0);
  return transformResult(xhat, rows, cols, quantize.bits(rows, cols), p.by === 'identity' ? 0 : permutationBits(cols), {
    moved, head: Array.from(perm.subarray(0, 64)),
  });
}
