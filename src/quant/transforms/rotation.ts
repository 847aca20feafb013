// quant: Hadamard rotation as a weight-side method: rotate the input dimension, quantize, rotate back (CPU reference; the GPU twin is shaders/hadamard.wgsl).
//
// QuaRot (Ashkboos et al. 2024, arXiv 2404.00456) and QuIP# (Tseng et al. 2024, arXiv 2402.04396):
// W' = W·Rᵀ with the randomized Hadamard rotation R of src/quant/hadamard/rotation.ts, quantized in
// the rotated basis; the layer computes Q(W')·(R x), which equals (Q(W')·R)·x, so the effective
// weights are x̂ = Q(W')·R and, R being orthonormal, ‖W − x̂‖_F = ‖W' − Q(W')‖_F. Cost: the 32-bit
// sign seed (the rotation is regenerated from it), plus an O(n log n) rotation of every activation.
import { hadamardOrderFor, hadamardRotation, largestSupportedBlock, rotateInputDim, unrotateInputDim } from '../hadamard/rotation';
import { type BaseQuantizer, checkShape, transformResult, type TransformResult } from './base';

export interface RotationParams {
  /** Seed of the random signs (u32); null for the plain Hadamard matrix. Default 0. */
  readonly seed?: number | null;
  /**
   * Block of the block-diagonal rotation; default the whole row when cols factors as K·2^m with a
   * supported K, else the largest supported block dividing cols.
   */
  readonly block?: number;
}

export interface RotationInfo {
  readonly block: number;
  /** Order K of the dense Hadamard factor (1 for a power-of-two block). */
  readonly order: number;
}

/** The default block for a row of `cols`: the whole row if it has a Hadamard order, else the largest block that does. */
export function defaultRotationBlock(cols: number): number {
  try {
    hadamardOrderFor(cols);
    return cols;
  } catch {
    return largestSupportedBlock(cols);
  }
}

/** Rotates the input dimension of the row-major f32[rows · cols] `w`, quantizes, and rotates back. */
export function applyRotation(w: Float32Array, rows: number, cols: number, p: RotationParams, quantize: BaseQuantizer): TransformResult<RotationInfo> {
  checkShape(w, rows, cols, 'Hadamard rotation');
  const seed = p.seed === undefined ? 0 : p.seed;
  const rotation = hadamardRotation(cols, { block: p.block ?? defaultRotationBlock(cols), seed });
  const q = quantize(rotateInputDim(w, rows, cols, rotation), rows, cols);
  const xhat = unrotateInputDim(q, rows, cols, rotation);
  return transformResult(xhat, rows, cols, quantize.bits(rows, cols), seed === null ? 0 : 32, { block: rotation.block, order: rotation.order });
}
