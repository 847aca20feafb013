// tests: shared fixtures of the transform tests: base quantizers, synthetic weights, error measures.
import { syntheticMatrix, type SyntheticDistribution } from '../../src/model/synthetic';
import type { GroupKind } from '../../src/quant/groups';
import { baseQuantizer, type BaseQuantizer } from '../../src/quant/transforms/base';

/** Symmetric round-to-nearest INT`bits` with fp16 scales: the plain RTN baseline. */
export function rtn(bits: number, kind: GroupKind = 'block', block = 64): BaseQuantizer {
  return baseQuantizer({ kind: 'int', params: { bits, mode: 'sym', scale: 'fp16' } }, kind, block);
}

/** Mean squared error in f64. */
export function mse(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** A seeded synthetic weight matrix (std 0.02 before outliers). */
export function weights(rows: number, cols: number, distribution: SyntheticDistribution, outlierChannels = 0, outlierScale = 1, seed = 1): Float32Array {
  return syntheticMatrix({ rows, cols, distribution, seed, outlierChannels, outlierScale });
}

/** u32 bit patterns, to compare f32 arrays exactly. */
export function bitsOf(x: Float32Array): number[] {
  return Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
}
